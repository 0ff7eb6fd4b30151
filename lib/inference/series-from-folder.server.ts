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
import { readQualityAttributes } from '../quality/attributes'
import { summarisePixels, type QualityInstance } from '../quality/assess'
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
  /** Further files with the SOP Instance UID of one of the series' instances (left out of the series; the quality report names them). */
  duplicates: { instance: DicomInstance; file: string }[]
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
  const duplicates: { instance: DicomInstance; file: string }[] = []
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
    if (first) {
      rejected.push({ source, reason: `Duplicate of ${first.instance.source} (same SOP Instance UID)` })
      duplicates.push({ instance: parsed.instance, file })
    } else unique.set(parsed.instance.sopInstanceUid, { instance: parsed.instance, file })
  }
  const fileOf = new Map([...unique.values()].map(({ instance, file }) => [instance.sopInstanceUid, file]))
  const series = groupStudies([...unique.values()].map((entry) => entry.instance)).flatMap((patient) =>
    patient.studies.flatMap((study) =>
      study.series.map((one) => ({
        studyInstanceUid: study.studyInstanceUid,
        series: one,
        files: new Map(one.instances.map((i) => [i.sopInstanceUid, fileOf.get(i.sopInstanceUid)!])),
        duplicates: duplicates.filter((duplicate) => duplicate.instance.seriesInstanceUid === one.seriesInstanceUid),
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

export interface DecodedSeries {
  entry: FolderSeries
  /** Modality values of each decoded image, by SOP Instance UID. */
  pixels: Map<string, Float32Array>
  /** Why an image could not be decoded, by SOP Instance UID. */
  undecodable: Map<string, string>
  /** Every instance (duplicates included) with what the quality report needs. */
  quality: QualityInstance[]
}

/** Every image of the series decoded by the viewer's decoder, with its quality attributes and pixel summary. */
export async function decodeSeries(entry: FolderSeries, decoder: ViewerDecoder): Promise<DecodedSeries> {
  const pixels = new Map<string, Float32Array>()
  const undecodable = new Map<string, string>()
  const quality: QualityInstance[] = []
  for (const instance of entry.series.instances) {
    const bytes = new Uint8Array(readFileSync(entry.files.get(instance.sopInstanceUid)!))
    const attributes = readQualityAttributes(bytes)
    if (!instance.hasPixelData) {
      quality.push({ instance, attributes })
      continue
    }
    try {
      const values = await decoder.modalityPixels(bytes, instance)
      pixels.set(instance.sopInstanceUid, values)
      quality.push({ instance, attributes, pixels: summarisePixels(values, instance, attributes) })
    } catch (error) {
      undecodable.set(instance.sopInstanceUid, error instanceof Error ? error.message : String(error))
      quality.push({ instance, attributes })
    }
  }
  for (const { instance, file } of entry.duplicates) quality.push({ instance, attributes: readQualityAttributes(new Uint8Array(readFileSync(file))) })
  return { entry, pixels, undecodable, quality }
}

/** The decoded series as the viewer's model panel hands it to a model, after the panel's own check. */
export function seriesImagesOf({ entry, pixels, undecodable }: DecodedSeries): SeriesImages & { instances: DicomInstance[] } {
  const instances = entry.series.instances.filter((instance) => instance.hasPixelData)
  const first = instances[0]
  const geometry = first ? stackGeometryOf(first) : null
  if (!geometry || instances.some((instance) => !instance.imagePositionPatient || instance.numberOfFrames > 1)) {
    throw new Error('This model needs single-frame images with position, orientation and pixel spacing.')
  }
  const failed = instances.find((instance) => undecodable.has(instance.sopInstanceUid))
  if (failed) throw new Error(undecodable.get(failed.sopInstanceUid)!)
  return { geometry, positions: instances.map((instance) => instance.imagePositionPatient!), pixels: instances.map((instance) => pixels.get(instance.sopInstanceUid)!), instances }
}
