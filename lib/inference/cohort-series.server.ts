import 'server-only'
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { z } from 'zod'
import type { DicomInstance } from '../dicom/types'
import type { ViewerDecoder } from '../dicom/viewer-decoder.server'
import { qualityFindingSchema } from '../quality/findings'
import { decodeNpyUint8 } from '../synthetic/npy'
import { cohortRowSchema, diceByLabel, type CohortRow } from './cohort'
import type { ModelManifest } from './manifest'
import { labelsFromSeg, modelSeg } from './model-seg'
import { runOnFolderSeries, SeriesSkipped, type NodeModel } from './node-runner.server'
import type { FolderSeries } from './series-from-folder.server'

// One series of a cohort: the model run (or the reason it was skipped or failed), its SEG,
// its summary row and quality findings, written into the output folder. The row file is
// written last and atomically: its presence is what "done" means when a run resumes.

export const seriesRecordSchema = z.object({ row: cohortRowSchema, quality: z.array(qualityFindingSchema) })
export type SeriesRecord = z.infer<typeof seriesRecordSchema>

export interface CohortSeriesContext {
  model: NodeModel
  decoder: ViewerDecoder
  out: string
  /** Folder of ground truths: <SeriesInstanceUID>.npy (uint8, images × rows × columns in display order) or <SeriesInstanceUID>.dcm (a SEG). */
  truth?: string
  force: boolean
}

const safe = (uid: string) => uid.replace(/[^0-9A-Za-z.-]/g, '_')

/** Where a series' record lives: <out>/<StudyInstanceUID>/<SeriesInstanceUID>.json, beside its .seg.dcm. */
export function recordPath(out: string, studyInstanceUid: string, seriesInstanceUid: string): string {
  return path.join(out, safe(studyInstanceUid), `${safe(seriesInstanceUid)}.json`)
}

/** Every series record in the output folder (those of earlier runs and of other shards writing there). */
export function readRecords(out: string): SeriesRecord[] {
  if (!existsSync(out)) return []
  return readdirSync(out, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.json') && name.includes(path.sep))
    .flatMap((name) => {
      const parsed = seriesRecordSchema.safeParse(JSON.parse(readFileSync(path.join(out, name), 'utf8')))
      return parsed.success ? [parsed.data] : []
    })
}

export function writeAtomically(file: string, bytes: string | Uint8Array) {
  mkdirSync(path.dirname(file), { recursive: true })
  const temporary = `${file}.${process.pid}.${Date.now()}.tmp`
  writeFileSync(temporary, bytes)
  renameSync(temporary, file)
}

function baseRow(entry: FolderSeries, manifest: ModelManifest): CohortRow {
  const { series, studyInstanceUid } = entry
  return {
    studyInstanceUid,
    seriesInstanceUid: series.seriesInstanceUid,
    modality: series.modality,
    seriesDescription: series.seriesDescription,
    images: series.instances.filter((instance) => instance.hasPixelData).length,
    model: manifest.parallax.id,
    modelVersion: manifest.version,
    status: 'done',
    reason: '',
    seg: '',
    voxels: {},
    volumesMl: {},
    probabilities: {},
    positive: {},
    dice: {},
    truth: '',
    qualityFindings: 0,
    ms: 0,
  }
}

/** The record of a series whose run died with its worker (out of memory, say): failed, with the reason. */
export function writeFailedRecord(entry: FolderSeries, manifest: ModelManifest, out: string, reason: string): SeriesRecord {
  const record: SeriesRecord = { row: { ...baseRow(entry, manifest), status: 'failed', reason }, quality: [] }
  writeAtomically(recordPath(out, entry.studyInstanceUid, entry.series.seriesInstanceUid), JSON.stringify(record) + '\n')
  return record
}

export async function runCohortSeries(entry: FolderSeries, context: CohortSeriesContext): Promise<SeriesRecord> {
  const { model, out } = context
  const { manifest } = model
  const { series, studyInstanceUid } = entry
  const started = performance.now()
  const row = baseRow(entry, manifest)
  let record: SeriesRecord
  try {
    const run = await runOnFolderSeries(model, entry, context.decoder, { force: context.force })
    row.qualityFindings = run.quality.length
    if (run.output.kind === 'segmentation') {
      const { labels, labelCounts } = run.output
      const voxelMl = voxelVolumeMl(run.instances, series.geometry.sliceSpacing)
      for (const label of manifest.parallax.labels.filter((entry) => entry.value > 0)) {
        row.voxels[label.name] = labelCounts[label.value] ?? 0
        if (voxelMl !== null) row.volumesMl[label.name] = (labelCounts[label.value] ?? 0) * voxelMl
      }
      const seg = modelSeg(manifest, run.instances, labels, new Date())
      if (seg) {
        row.seg = path.relative(out, recordPath(out, studyInstanceUid, series.seriesInstanceUid).replace(/\.json$/, '.seg.dcm'))
        writeAtomically(path.join(out, row.seg), seg)
      }
      if (context.truth) Object.assign(row, truthAgreement(manifest, run.instances, labels, context.truth))
    } else {
      const threshold = manifest.parallax.postprocessing.decisionThreshold
      manifest.parallax.labels.forEach((label, index) => {
        const probability = (run.output as { seriesProbabilities: number[] }).seriesProbabilities[index]!
        row.probabilities[label.name] = probability
        if (threshold !== undefined) row.positive[label.name] = probability >= threshold
      })
    }
    record = { row, quality: run.quality }
  } catch (error) {
    const skipped = error instanceof SeriesSkipped
    row.status = skipped ? 'skipped' : 'failed'
    row.reason = error instanceof Error ? error.message : String(error)
    record = { row, quality: skipped ? error.quality : [] }
    row.qualityFindings = record.quality.length
  }
  row.ms = performance.now() - started
  writeAtomically(recordPath(out, studyInstanceUid, series.seriesInstanceUid), JSON.stringify(record) + '\n')
  return record
}

/** ml per voxel: pixel spacing × slice spacing (the series' measured spacing, else its Slice Thickness); null when unknown. */
function voxelVolumeMl(instances: readonly DicomInstance[], sliceSpacing: number | null): number | null {
  const first = instances[0]!
  const depth = sliceSpacing ?? first.sliceThickness
  if (!first.pixelSpacing || !depth) return null
  return (first.pixelSpacing[0] * first.pixelSpacing[1] * depth) / 1000
}

function truthAgreement(manifest: ModelManifest, instances: readonly DicomInstance[], labels: Uint8Array, folder: string): Pick<CohortRow, 'dice' | 'truth'> | undefined {
  const uid = safe(instances[0]!.seriesInstanceUid)
  const npy = path.join(folder, `${uid}.npy`)
  const seg = path.join(folder, `${uid}.dcm`)
  let truth: Uint8Array
  let source: string
  if (existsSync(npy)) {
    const { data, shape } = decodeNpyUint8(new Uint8Array(readFileSync(npy)))
    const expected = [instances.length, instances[0]!.rows, instances[0]!.columns]
    if (shape.join('×') !== expected.join('×'))
      throw new Error(`The ground truth ${path.basename(npy)} has shape ${shape.join('×')}; the series is ${expected.join('×')} (images × rows × columns)`)
    truth = data
    source = path.basename(npy)
  } else if (existsSync(seg)) {
    truth = labelsFromSeg(manifest, instances, new Uint8Array(readFileSync(seg)))
    source = path.basename(seg)
  } else return undefined
  const values = manifest.parallax.labels.filter((label) => label.value > 0)
  const dice = diceByLabel(
    labels,
    truth,
    values.map((label) => label.value),
  )
  return { dice: Object.fromEntries(values.map((label) => [label.name, dice.get(label.value)!])), truth: source }
}
