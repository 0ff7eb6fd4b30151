import 'server-only'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { stackGeometryOf } from '../dicom/geometry'
import { readNativeFrame } from '../dicom/native-frame'
import { parseInstance } from '../dicom/parse-instance'
import { orderSeries } from '../dicom/series-geometry'
import type { DicomInstance } from '../dicom/types'
import { stackToVolume, type StackVolume } from './slice-stack'

// The CLI's way into a series: every DICOM file under a folder, one series picked (the
// only one, or the one named), ordered exactly as the viewer orders it.

export interface FolderSeries {
  seriesInstanceUid: string
  modality: string
  /** Images in viewer order. */
  instances: DicomInstance[]
  stack: StackVolume
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((name) => path.join(dir, name))
    .filter((file) => statSync(file).isFile())
    .sort()
}

export function loadSeriesFromFolder(dir: string, seriesInstanceUid?: string): FolderSeries {
  const files = filesUnder(dir)
  const parsed = files.map((file, index) => {
    const bytes = new Uint8Array(readFileSync(file))
    return { file, bytes, result: parseInstance(bytes, path.relative(dir, file), index) }
  })
  const images = parsed.flatMap((entry) => (entry.result.ok && entry.result.instance.hasPixelData ? [{ ...entry, instance: entry.result.instance }] : []))
  const seriesUids = [...new Set(images.map((image) => image.instance.seriesInstanceUid))]
  const chosen = seriesInstanceUid ?? (seriesUids.length === 1 ? seriesUids[0] : undefined)
  if (!chosen)
    throw new Error(seriesUids.length ? `${dir} holds ${seriesUids.length} series; name one with --series-uid (${seriesUids.join(', ')})` : `${dir} holds no DICOM images`)
  const inSeries = images.filter((image) => image.instance.seriesInstanceUid === chosen)
  if (!inSeries.length) throw new Error(`${dir} has no images of series ${chosen}`)
  const { instances } = orderSeries(inSeries.map((image) => image.instance))
  const bytesBySop = new Map(inSeries.map((image) => [image.instance.sopInstanceUid, image.bytes]))
  const first = instances[0]!
  const geometry = stackGeometryOf(first)
  if (!geometry || instances.some((instance) => !instance.imagePositionPatient))
    throw new Error(`Series ${chosen} lacks the geometry (position, orientation, spacing) a volume needs`)
  const stack = stackToVolume(
    geometry,
    instances.map((instance) => ({ position: instance.imagePositionPatient!, pixels: readNativeFrame(bytesBySop.get(instance.sopInstanceUid)!, instance) })),
  )
  return { seriesInstanceUid: chosen, modality: first.modality, instances, stack }
}
