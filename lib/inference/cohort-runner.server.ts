import 'server-only'
import { existsSync, readFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Worker } from 'node:worker_threads'
import { toCsv } from '../quality/csv'
import { qualityCsv } from '../quality/findings'
import { cohortSummaryCsv, shardOf, type CohortProgress, type CohortRow, type Shard } from './cohort'
import { readRecords, recordPath, writeAtomically, writeFailedRecord, type SeriesRecord } from './cohort-series.server'
import type { ModelManifest } from './manifest'
import { findModel } from './registry.server'
import { scanFolder, type FolderSeries } from './series-from-folder.server'

// A cohort: every series under a folder tree (or this shard's share of them), each run in
// one of `workers` worker threads (each with its own session and decoder), its record
// written as it finishes; then the summary CSV and the quality CSV from every record in
// the output folder. Series whose record says done are not run again (resume); series
// skipped for the model's requirements are run again only with --force; failed ones always.

export interface CohortOptions {
  folder: string
  modelId: string
  out: string
  workers: number
  shard?: Shard
  truth?: string
  force: boolean
  onProgress?: (progress: CohortProgress) => void
}

export interface CohortWorkerData {
  modelId: string
  out: string
  truth?: string
  force: boolean
  threads: number
}

export type ToWorker = { type: 'run'; entry: FolderSeries } | { type: 'close' }
export type FromWorker = { type: 'ready' } | { type: 'done'; record: SeriesRecord } | { type: 'error'; message: string }

export interface CohortResult {
  /** Every row now in the output folder (summary.csv's). */
  rows: CohortRow[]
  progress: CohortProgress
  /** Files under the folder that are not DICOM the viewer opens. */
  rejected: number
}

export const SUMMARY_FILE = 'summary.csv'
export const QUALITY_FILE = 'quality.csv'
export const REJECTED_FILE = 'rejected.csv'

export async function runCohort(options: CohortOptions): Promise<CohortResult> {
  const model = findModel(options.modelId)
  if (!model) throw new Error(`No model "${options.modelId}" in the registry`)
  if (!model.filePath) throw new Error(`Model "${options.modelId}" has no file yet: add it with npm run models:add`)
  const scan = scanFolder(options.folder)
  const inShard = scan.series.filter(
    (entry) =>
      entry.series.instances.some((instance) => instance.hasPixelData) && (!options.shard || shardOf(entry.series.seriesInstanceUid, options.shard.count) === options.shard.index),
  )
  const pending = inShard.filter((entry) => !finished(options, model.manifest, entry.studyInstanceUid, entry.series.seriesInstanceUid))
  const started = performance.now()
  const progress: CohortProgress = { total: inShard.length, resumed: inShard.length - pending.length, done: 0, skipped: 0, failed: 0, elapsedMs: 0 }
  const report = () => options.onProgress?.({ ...progress, elapsedMs: performance.now() - started })
  report()
  const count = (record: SeriesRecord) => {
    progress[record.row.status === 'done' ? 'done' : record.row.status === 'skipped' ? 'skipped' : 'failed']++
    report()
  }
  await runInWorkers(pending, options, model.manifest, count)

  const records = readRecords(options.out).filter(({ row }) => row.model === model.manifest.parallax.id && row.modelVersion === model.manifest.version)
  const rows = records.map((record) => record.row)
  writeAtomically(path.join(options.out, SUMMARY_FILE), cohortSummaryCsv(model.manifest, rows, options.truth !== undefined))
  writeAtomically(path.join(options.out, QUALITY_FILE), qualityCsv(records.flatMap((record) => record.quality)))
  writeAtomically(path.join(options.out, REJECTED_FILE), toCsv(['source', 'reason'], scan.rejected))
  return { rows, progress: { ...progress, elapsedMs: performance.now() - started }, rejected: scan.rejected.length }
}

/** Done before by this model and version (an output folder holds one model's results; another model's are run again over them). */
export function finished(options: Pick<CohortOptions, 'out' | 'force'>, manifest: ModelManifest, studyInstanceUid: string, seriesInstanceUid: string): boolean {
  const file = recordPath(options.out, studyInstanceUid, seriesInstanceUid)
  if (!existsSync(file)) return false
  try {
    const { row } = JSON.parse(readFileSync(file, 'utf8')) as SeriesRecord
    if (row.model !== manifest.parallax.id || row.modelVersion !== manifest.version) return false
    return row.status === 'done' || (row.status === 'skipped' && !options.force)
  } catch {
    return false
  }
}

// Worker threads do not inherit the `--import tsx` hooks (as tests/fuzz/campaign.ts found):
// the worker registers them itself, then loads its TypeScript entry. The react-server
// condition is inherited with the rest of execArgv.
const workerBootstrap = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then(({ register }) => { register(); return import(${JSON.stringify(new URL('./cohort-worker.server.ts', import.meta.url).href)}) })`

/** Hands the series out to the workers, one at a time each; a worker that dies fails its series and the lane starts another. */
async function runInWorkers(pending: FolderSeries[], options: CohortOptions, manifest: ModelManifest, onRecord: (record: SeriesRecord) => void): Promise<void> {
  const queue = [...pending]
  const workers = Math.max(1, Math.min(options.workers, queue.length))
  const threads = Math.max(1, Math.floor(os.availableParallelism() / workers))
  const data: CohortWorkerData = { modelId: options.modelId, out: options.out, truth: options.truth, force: options.force, threads }
  let fatal: Error | null = null

  const oneWorker = () =>
    new Promise<void>((resolve) => {
      let current: FolderSeries | undefined
      let ready = false
      let crash = 'the worker stopped'
      const worker = new Worker(workerBootstrap, { eval: true, workerData: data })
      const next = () => {
        current = fatal ? undefined : queue.shift()
        worker.postMessage((current ? { type: 'run', entry: current } : { type: 'close' }) satisfies ToWorker)
      }
      const fail = (reason: string) => {
        if (current) onRecord(writeFailedRecord(current, manifest, options.out, reason))
        current = undefined
      }
      worker.on('message', (message: FromWorker) => {
        if (message.type === 'ready') {
          ready = true
          next()
        } else if (message.type === 'done') {
          current = undefined
          onRecord(message.record)
          next()
        } else if (!ready) {
          // The model could not be opened here, so it cannot be anywhere: stop.
          fatal ??= new Error(message.message)
          worker.postMessage({ type: 'close' } satisfies ToWorker)
        } else {
          fail(message.message)
          next()
        }
      })
      worker.on('error', (error) => {
        crash = error.message
        if (!ready) fatal ??= error
      })
      worker.on('exit', () => {
        fail(`The worker running this series stopped: ${crash}`)
        resolve()
      })
    })

  const lane = async () => {
    while (queue.length && !fatal) await oneWorker()
  }
  await Promise.all(Array.from({ length: workers }, lane))
  if (fatal) throw fatal
}
