// A fuzz campaign: `mutants` mutants of the seeds, mutant i made from the campaign seed and
// i alone (rng.ts), run by a pool of worker threads (mutant-worker.ts), each mutant under a
// deadline. A worker that misses the deadline is a hang and is replaced; one that dies (an
// uncaught exception, an unhandled rejection, out of memory) is a crash and is replaced.
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Worker } from 'node:worker_threads'
import type { SeedModel } from './dicom-model'
import { prepareWasmDirectory } from './decode-node'
import { applyMutations, type Recipe } from './mutations'
import { randomMutations } from './random-mutations'
import type { MutantOutcome, MutantRequest, WorkerMessage } from './mutant-worker'
import { createRng, mutantSeed } from './rng'

export interface CampaignOptions {
  seed: number
  mutants: number
  seeds: SeedModel[]
  workers?: number
  /** Per mutant, parse and decode together. */
  deadlineMs?: number
  /** Heap (old generation) each worker may use; past it the worker dies, and that counts as a crash. */
  workerHeapMb?: number
  onProgress?: (done: number, total: number) => void
  /** Every mutant's outcome, for tools that study them. */
  onOutcome?: (index: number, recipe: Recipe, outcome: MutantOutcome) => void
}

export interface Failure {
  index: number
  recipe: Recipe
  kind: 'crash' | 'hang'
  message: string
}

export interface Notable {
  index: number
  recipe: Recipe
  ms: number
  growthBytes: number
  what: string
  messages: string[]
}

export interface CampaignReport {
  seed: number
  mutants: number
  crashes: Failure[]
  hangs: Failure[]
  /** Mutants rejected by ingestion (a reason shown to the user). */
  rejected: number
  accepted: number
  framesDecoded: number
  framesDecodeRejected: number
  framesGuarded: number
  warnings: number
  maxGrowthBytes: number
  maxMs: number
  /** The slowest, the most memory-hungry, and those that got past ingestion and failed in the decoder. */
  notable: Notable[]
  durationMs: number
}

interface Slot {
  worker: Worker
  ready: Promise<void>
}

// Worker threads do not inherit the `--import tsx` hooks: the worker registers them itself,
// then loads its TypeScript entry. The console goes quiet first: the codecs and dcmjs log
// every oddity (OpenJPEG's "[INFO] ...", "Invalid vr type"), which would bury the report.
const bootstrap = `for (const level of ['log', 'info', 'warn', 'error', 'debug']) console[level] = () => {}; import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then(({ register }) => { register(); return import(${JSON.stringify(new URL('./mutant-worker.ts', import.meta.url).href)}) })`

function startWorker(wasmBasePath: string, heapMb: number): Slot {
  const worker = new Worker(bootstrap, { eval: true, workerData: { wasmBasePath }, resourceLimits: { maxOldGenerationSizeMb: heapMb } })
  const ready = new Promise<void>((resolve, reject) => {
    const onMessage = (message: WorkerMessage) => {
      if (message.type !== 'ready') return
      worker.off('message', onMessage)
      resolve()
    }
    worker.on('message', onMessage)
    worker.once('error', reject)
  })
  return { worker, ready }
}

export function recipeOf(seeds: SeedModel[], campaignSeed: number, index: number): { recipe: Recipe; model: SeedModel } {
  const rng = createRng(mutantSeed(campaignSeed, index))
  const model = rng.pick(seeds)
  return { model, recipe: { seed: model.name, mutations: randomMutations(model, rng) } }
}

type Settled = { kind: 'result'; outcome: MutantOutcome } | { kind: 'crash'; message: string } | { kind: 'hang' }

function runOne(slot: Slot, request: MutantRequest, deadlineMs: number): Promise<Settled> {
  return new Promise((resolve) => {
    const { worker } = slot
    const finish = (settled: Settled) => {
      clearTimeout(timer)
      worker.off('message', onMessage)
      worker.off('error', onError)
      worker.off('exit', onExit)
      resolve(settled)
    }
    const onMessage = (message: WorkerMessage) => {
      if (message.type === 'result' && message.id === request.id) finish({ kind: 'result', outcome: message.outcome })
    }
    const onError = (error: Error) => finish({ kind: 'crash', message: `${error.name}: ${error.message}` })
    const onExit = (code: number) => finish({ kind: 'crash', message: `worker exited with code ${code}` })
    const timer = setTimeout(() => finish({ kind: 'hang' }), deadlineMs)
    worker.on('message', onMessage)
    worker.once('error', onError)
    worker.once('exit', onExit)
    worker.postMessage(request, [request.bytes])
  })
}

export async function runCampaign(options: CampaignOptions): Promise<CampaignReport> {
  const { seed, mutants, seeds } = options
  const deadlineMs = options.deadlineMs ?? 60_000
  const heapMb = options.workerHeapMb ?? 1024
  const wasmDir = mkdtempSync(path.join(os.tmpdir(), 'parallax-fuzz-wasm-'))
  prepareWasmDirectory(wasmDir)
  const report: CampaignReport = {
    seed,
    mutants,
    crashes: [],
    hangs: [],
    rejected: 0,
    accepted: 0,
    framesDecoded: 0,
    framesDecodeRejected: 0,
    framesGuarded: 0,
    warnings: 0,
    maxGrowthBytes: 0,
    maxMs: 0,
    notable: [],
    durationMs: 0,
  }
  const started = performance.now()
  let next = 0
  let done = 0
  const notable = { slow: [] as Notable[], heavy: [] as Notable[], decoder: [] as Notable[] }

  const record = (index: number, recipe: Recipe, settled: Settled) => {
    if (settled.kind === 'hang') report.hangs.push({ index, recipe, kind: 'hang', message: `no result within ${deadlineMs} ms` })
    else if (settled.kind === 'crash') report.crashes.push({ index, recipe, kind: 'crash', message: settled.message })
    else {
      const { outcome } = settled
      if (outcome.contractViolation) report.crashes.push({ index, recipe, kind: 'crash', message: `ingestFiles threw: ${outcome.contractViolation}` })
      for (const message of outcome.uncaught) report.crashes.push({ index, recipe, kind: 'crash', message: `uncaught in the browser: ${message}` })
      report.accepted += outcome.accepted
      report.rejected += outcome.rejected
      report.framesDecoded += outcome.decoded
      report.framesDecodeRejected += outcome.decodeRejected
      report.framesGuarded += outcome.guarded
      report.warnings += outcome.warnings
      report.maxGrowthBytes = Math.max(report.maxGrowthBytes, outcome.growthBytes)
      report.maxMs = Math.max(report.maxMs, outcome.ms)
      const entry = (what: string): Notable => ({ index, recipe, ms: Math.round(outcome.ms), growthBytes: outcome.growthBytes, what, messages: outcome.decodeMessages })
      options.onOutcome?.(index, recipe, outcome)
      keepTop(notable.slow, entry('slowest'), (item) => item.ms)
      keepTop(notable.heavy, entry('most memory'), (item) => item.growthBytes)
      if (outcome.decodeRejected + outcome.guarded > 0)
        keepTop(notable.decoder, entry(outcome.guarded > 0 ? 'decoded to the wrong size' : 'accepted, then the decoder failed'), (item) => -item.index)
    }
    done += 1
    options.onProgress?.(done, mutants)
  }

  const lane = async () => {
    let slot = startWorker(wasmDir, heapMb)
    for (;;) {
      const index = next++
      if (index >= mutants) break
      const { recipe, model } = recipeOf(seeds, seed, index)
      const bytes = applyMutations(model, recipe.mutations)
      try {
        await slot.ready
      } catch (error) {
        record(index, recipe, { kind: 'crash', message: `worker failed to start: ${String(error)}` })
        slot = startWorker(wasmDir, heapMb)
        continue
      }
      const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer
      const settled = await runOne(slot, { id: index, name: `${path.basename(recipe.seed)}#${index}.dcm`, bytes: buffer }, deadlineMs)
      record(index, recipe, settled)
      if (settled.kind !== 'result') {
        await slot.worker.terminate()
        slot = startWorker(wasmDir, heapMb)
      }
    }
    await slot.worker.terminate()
  }

  try {
    await Promise.all(Array.from({ length: options.workers ?? Math.max(1, Math.min(4, os.availableParallelism() - 1)) }, lane))
  } finally {
    rmSync(wasmDir, { recursive: true, force: true })
  }
  report.notable = [...notable.slow, ...notable.heavy, ...notable.decoder]
  report.durationMs = performance.now() - started
  return report
}

function keepTop(list: Notable[], item: Notable, score: (item: Notable) => number, size = 5): void {
  list.push(item)
  list.sort((a, b) => score(b) - score(a))
  list.length = Math.min(list.length, size)
}

export function summary(report: CampaignReport): string {
  const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(1)
  return [
    `fuzz seed ${report.seed}: ${report.mutants} mutants in ${(report.durationMs / 1000).toFixed(1)} s`,
    `  crashes ${report.crashes.length}, hangs ${report.hangs.length}`,
    `  ingestion: ${report.rejected} rejected with a reason, ${report.accepted} accepted (${report.warnings} warnings)`,
    `  decoding: ${report.framesDecoded} frames decoded, ${report.framesDecodeRejected} failed in the decoder, ${report.framesGuarded} refused by the viewer's check`,
    `  slowest mutant ${Math.round(report.maxMs)} ms, largest memory growth ${mib(report.maxGrowthBytes)} MiB`,
  ].join('\n')
}
