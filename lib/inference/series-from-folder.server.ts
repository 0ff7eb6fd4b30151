import 'server-only'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { isDicomdir } from '../dicom/dicomdir'
import { stackGeometryOf } from '../dicom/geometry'
import { groupStudies } from '../dicom/group-studies'
import { isOsMetadata } from '../dicom/ingest'
import { parseInstance } from '../dicom/parse-instance'
import type { DicomInstance, DicomRejection, DicomSeries } from '../dicom/types'
import type { ViewerDecoder } from '../dicom/viewer-decoder.server'
import type { SeriesImages } from './run-model'

// The CLI's way into DICOM on disk: every file under a folder tree parsed as ingestion
// parses a drop (OS metadata and DICOMDIR skipped, the same SOP Instance UID kept once),
// grouped into studies and series and ordered exactly as the viewer orders them
// (groupStudies); pixels decoded by the viewer's own decoder. Headers are read up front
// and the bytes dropped; a series' files are read again when it runs, so a cohort of
// hundreds of studies is scanned in bounded memory. Zip archives are not opened here.

export interface FolderSeries {
  studyInstanceUid: string
  series: DicomSeries
  /** File of each instance, by SOP Instance UID. */
  files: Map<string, string>
}

export interface FolderScan {
  series: FolderSeries[]
  rejected: DicomRejection[]
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((name) => path.join(dir, name))
    .filter((file) => statSync(file).isFile())
    .sort()
}

export function scanFolder(dir: string): FolderScan {
  const rejected: DicomRejection[] = []
  const unique = new Map<string, { instance: DicomInstance; file: string }>()
  for (const [index, file] of filesUnder(dir).entries()) {
    const source = path.relative(dir, file)
    if (isOsMetadata(source)) continue
    const bytes = new Uint8Array(readFileSync(file))
    if (isDicomdir(bytes)) continue
    const parsed = parseInstance(bytes, source, index)
    if (!parsed.ok) {
      rejected.push(parsed.rejection)
      continue
    }
    const first = unique.get(parsed.instance.sopInstanceUid)
    if (first) rejected.push({ source, reason: `Duplicate of ${first.instance.source} (same SOP Instance UID)` })
    else unique.set(parsed.instance.sopInstanceUid, { instance: parsed.instance, file })
  }
  const fileOf = new Map([...unique.values()].map(({ instance, file }) => [instance.sopInstanceUid, file]))
  const series = groupStudies([...unique.values()].map((entry) => entry.instance)).flatMap((patient) =>
    patient.studies.flatMap((study) =>
      study.series.map((one) => ({
        studyInstanceUid: study.studyInstanceUid,
        series: one,
        files: new Map(one.instances.map((i) => [i.sopInstanceUid, fileOf.get(i.sopInstanceUid)!])),
      })),
    ),
  )
  return { series, rejected }
}

/** The one series in the folder, or the one named. */
export function pickSeries(dir: string, scan: FolderScan, seriesInstanceUid?: string): FolderSeries {
  const withImages = scan.series.filter((entry) => entry.series.instances.some((instance) => instance.hasPixelData))
  const chosen = seriesInstanceUid ? withImages.find((entry) => entry.series.seriesInstanceUid === seriesInstanceUid) : withImages.length === 1 ? withImages[0] : undefined
  if (chosen) return chosen
  if (seriesInstanceUid) throw new Error(`${dir} has no images of series ${seriesInstanceUid}`)
  throw new Error(
    withImages.length
      ? `${dir} holds ${withImages.length} series; name one with --series-uid (${withImages.map((entry) => entry.series.seriesInstanceUid).join(', ')})`
      : `${dir} holds no DICOM images${scan.rejected.length ? ` (${scan.rejected.length} file(s) refused, e.g. ${scan.rejected[0]!.source}: ${scan.rejected[0]!.reason})` : ''}`,
  )
}

/** The series' images decoded, in viewer order, as the viewer's model panel hands them to the model. */
export async function loadSeriesImages(entry: FolderSeries, decoder: ViewerDecoder): Promise<SeriesImages & { instances: DicomInstance[] }> {
  const instances = entry.series.instances.filter((instance) => instance.hasPixelData)
  const first = instances[0]
  const geometry = first ? stackGeometryOf(first) : null
  // The same precondition as the viewer's model panel.
  if (!geometry || instances.some((instance) => !instance.imagePositionPatient || instance.numberOfFrames > 1)) {
    throw new Error('This model needs single-frame images with position, orientation and pixel spacing.')
  }
  const pixels: Float32Array[] = []
  for (const instance of instances) pixels.push(await decoder.modalityPixels(new Uint8Array(readFileSync(entry.files.get(instance.sopInstanceUid)!)), instance))
  return { geometry, positions: instances.map((instance) => instance.imagePositionPatient!), pixels, instances }
}
