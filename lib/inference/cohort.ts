// The cohort run's pure parts: which shard a series belongs to, what the summary holds per
// series (one zod schema: each series' row file and the summary CSV are written from it),
// Dice against a ground truth, and the progress line.
import { z } from 'zod'
import { toCsv, type CsvCell } from '../quality/csv'
import type { ModelManifest } from './manifest'

export interface Shard {
  /** 0-based, as Slurm's SLURM_ARRAY_TASK_ID (with --array=0-(n-1)) and Kubernetes' JOB_COMPLETION_INDEX give it. */
  index: number
  count: number
}

export function parseShard(text: string): Shard {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim())
  const index = match ? Number(match[1]) : NaN
  const count = match ? Number(match[2]) : NaN
  if (!match || count < 1 || index >= count) throw new Error(`--shard takes i/n with 0 ≤ i < n (e.g. 0/4 … 3/4), not "${text}"`)
  return { index, count }
}

/**
 * The shard of a series: FNV-1a (32-bit) of its Series Instance UID, modulo the count. It
 * depends on the UID alone, so every machine puts a series in the same shard whatever the
 * folder layout, and the shards' union is the whole cohort with no series twice.
 */
export function shardOf(seriesInstanceUid: string, count: number): number {
  let hash = 0x811c9dc5
  for (let i = 0; i < seriesInstanceUid.length; i++) {
    hash ^= seriesInstanceUid.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193) >>> 0
  }
  return hash % count
}

const perLabel = z.record(z.string(), z.number())

export const cohortRowSchema = z.object({
  studyInstanceUid: z.string(),
  seriesInstanceUid: z.string(),
  modality: z.string(),
  seriesDescription: z.string(),
  images: z.number().int(),
  model: z.string(),
  modelVersion: z.string(),
  /** done: the model ran; skipped: the series fails the model's requirements (reason says which); failed: an error (reason). */
  status: z.enum(['done', 'skipped', 'failed']),
  reason: z.string(),
  /** The SEG written, relative to the output folder; empty when there is none (no label found, or not a segmentation). */
  seg: z.string(),
  /** Pixels per label name (segmentation). */
  voxels: perLabel,
  /** Volume per label name in ml, when the slice spacing is known. */
  volumesMl: perLabel,
  /** Series probability per label name (classification). */
  probabilities: perLabel,
  /** Per label name: the series probability at or above the manifest's decision threshold. */
  positive: z.record(z.string(), z.boolean()),
  /** Dice per label name against the ground truth, when one was given. */
  dice: perLabel,
  /** Where the ground truth came from, relative to the truth folder; empty without one. */
  truth: z.string(),
  /** Quality findings on the series (quality.csv lists them). */
  qualityFindings: z.number().int(),
  ms: z.number(),
})
export type CohortRow = z.infer<typeof cohortRowSchema>

/** The summary columns for a model: the fixed ones, then per label what its kind gives. */
export function cohortColumns(manifest: ModelManifest, withTruth: boolean): string[] {
  const names = manifest.parallax.labels.map((label) => label.name)
  const perLabelColumns =
    manifest.parallax.kind === 'segmentation'
      ? names.flatMap((name) => [`${name} voxels`, `${name} ml`, ...(withTruth ? [`${name} dice`] : [])])
      : names.flatMap((name) => [`${name} probability`, `${name} positive`])
  return [
    'studyInstanceUid',
    'seriesInstanceUid',
    'modality',
    'seriesDescription',
    'images',
    'model',
    'modelVersion',
    'status',
    'reason',
    'seg',
    ...perLabelColumns,
    ...(withTruth ? ['truth'] : []),
    'qualityFindings',
    'ms',
  ]
}

/** The summary CSV: one row per series, ordered by study and series UID, so runs and shards compare line by line. */
export function cohortSummaryCsv(manifest: ModelManifest, rows: readonly CohortRow[], withTruth: boolean): string {
  const sorted = [...rows].sort((a, b) => compare(a.studyInstanceUid, b.studyInstanceUid) || compare(a.seriesInstanceUid, b.seriesInstanceUid))
  const cells = sorted.map((row) => {
    const { voxels, volumesMl, dice, probabilities, positive, ...fixed } = row
    const record: Record<string, CsvCell> = { ...fixed, ms: Math.round(row.ms) }
    for (const label of manifest.parallax.labels) {
      record[`${label.name} voxels`] = voxels[label.name]
      record[`${label.name} ml`] = volumesMl[label.name]
      record[`${label.name} dice`] = dice[label.name]
      record[`${label.name} probability`] = probabilities[label.name]
      record[`${label.name} positive`] = positive[label.name]
    }
    return record
  })
  return toCsv(cohortColumns(manifest, withTruth), cells)
}

/**
 * Dice per label value between two label volumes of the same grid: 2|A∩B| / (|A| + |B|).
 * Both empty is 1 (the model rightly found nothing), so lesion-free studies count as agreement.
 */
export function diceByLabel(predicted: Uint8Array, truth: Uint8Array, values: readonly number[]): Map<number, number> {
  if (predicted.length !== truth.length) throw new Error(`The ground truth has ${truth.length} voxels; the series has ${predicted.length}`)
  const dice = new Map<number, number>()
  for (const value of values) {
    let both = 0
    let inPredicted = 0
    let inTruth = 0
    for (let v = 0; v < predicted.length; v++) {
      const p = predicted[v] === value
      const t = truth[v] === value
      if (p) inPredicted++
      if (t) inTruth++
      if (p && t) both++
    }
    dice.set(value, inPredicted + inTruth === 0 ? 1 : (2 * both) / (inPredicted + inTruth))
  }
  return dice
}

export interface CohortProgress {
  total: number
  /** Done in earlier runs (found in the output folder). */
  resumed: number
  done: number
  skipped: number
  failed: number
  elapsedMs: number
}

/** "12/40 series (3 resumed, 1 skipped, 0 failed), 4.2 series/min, ETA 6 min 40 s" */
export function progressLine(progress: CohortProgress): string {
  const { total, resumed, done, skipped, failed, elapsedMs } = progress
  const finished = resumed + done + skipped + failed
  const ranNow = done + skipped + failed
  const perMinute = elapsedMs > 0 ? (ranNow / elapsedMs) * 60_000 : 0
  const eta = perMinute > 0 ? `ETA ${duration(((total - finished) / perMinute) * 60_000)}` : 'ETA …'
  return `${finished}/${total} series (${resumed} resumed, ${skipped} skipped, ${failed} failed), ${perMinute.toFixed(1)} series/min, ${eta}`
}

function duration(ms: number): string {
  const seconds = Math.round(ms / 1000)
  if (seconds < 60) return `${seconds} s`
  const minutes = Math.floor(seconds / 60)
  if (minutes < 60) return `${minutes} min ${seconds % 60} s`
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
