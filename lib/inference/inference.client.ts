'use client'
import { InferenceChannel, type InferenceRun as ChannelRun } from './inference-channel'
import type { SliceClick } from './interactive'
import type {
  CheckRequest,
  CheckResult,
  ExplainRequest,
  ExplainResult,
  ProviderPreference,
  RefineResult,
  RunProgress,
  RunRequest,
  RunResult,
  Warmed,
  WarmRequest,
  WorkerReply,
} from './inference-protocol'
import { parseManifest } from './manifest'
import type { ModelSummary } from './model-summary'

// The page's one inference worker, for every run, explanation and check: a model's session
// stays in it from one request to the next, so clicking through a study does not reload and
// recompile the model each time. It starts on the first request (inference-channel.ts
// correlates requests and replies, cancels, and restarts it when it must).

export { InferenceRunError } from './inference-channel'
export type InferenceRun<T = RunResult> = ChannelRun<T>
export type InferenceResult = RunResult
export type InferenceProgressMessage = RunProgress
export type { ExplainResult }
export type ModelCheckResult = CheckResult
export type { RefineResult, Warmed }

const channel = new InferenceChannel(({ message, crash }) => {
  // The literal form both bundlers recognise; the name puts "inference-worker" in the
  // chunk's file name (and in DevTools), so the worker can be told apart from others.
  const worker = new Worker(new URL('./inference.worker.ts', import.meta.url), { type: 'module', name: 'inference-worker' })
  worker.onmessage = (event: MessageEvent<WorkerReply>) => message(event.data)
  worker.onerror = (event) => crash(event.message || 'unknown error')
  return { post: (request, transfer) => worker.postMessage(request, transfer), terminate: () => worker.terminate() }
})

export function startInference(request: Omit<RunRequest, 'type' | 'id'>, onProgress: (progress: RunProgress) => void): InferenceRun {
  return channel.request(
    (id) => ({ type: 'run', id, ...request }),
    request.pixels.map((pixels) => pixels.buffer),
    (reply) => reply.type === 'run-progress' && onProgress(reply.progress),
  )
}

/** Loads the model and creates its session on `provider` in the worker, so that the next run of it reuses the session. */
export function warmModel(request: Omit<WarmRequest, 'type' | 'id'>): InferenceRun<Warmed> {
  return channel.request((id) => ({ type: 'warm', id, ...request }))
}

/** Runs the model's check input on one provider, in a session of its own (so its creation is timed). */
export function checkModel(request: Omit<CheckRequest, 'type' | 'id'>): Promise<ModelCheckResult> {
  return channel.request((id) => ({ type: 'check', id, ...request })).result
}

/** Computes a heatmap for one image, in the model's kept session when there is one. */
export function startExplanation(request: Omit<ExplainRequest, 'type' | 'id'>, onProgress: (done: number, total: number) => void): InferenceRun<ExplainResult> {
  return channel.request(
    (id) => ({ type: 'explain', id, ...request }),
    [request.image.pixels.buffer],
    (reply) => reply.type === 'explain-progress' && onProgress(reply.done, reply.total),
  )
}

export interface RefineOptions {
  model: ModelSummary
  /** Modality values of the slice, rows × columns; transferred to the worker when it owns its buffer (then the caller's array is emptied). */
  slicePixels: Float32Array
  columns: number
  rows: number
  /** Every click on the slice so far (slice pixel coordinates). */
  clicks: SliceClick[]
  /** The segment on the slice before this click (0/1); transferred like the pixels (a view, such as a document's slice, is copied). */
  previous?: Uint8Array
  provider?: ProviderPreference
}

/** An interactive model's new mask for one slice (`mask`: 0/1, rows × columns), from the model's kept session in the worker. */
export function refine({ model, slicePixels, columns, rows, clicks, previous, provider = 'auto' }: RefineOptions): InferenceRun<RefineResult> {
  // The manifest is checked here, before it reaches the worker; the worker checks it again with the pixels and clicks.
  const manifest = parseManifest(model.manifest)
  if (manifest.parallax.kind !== 'interactive') throw new Error(`${manifest.parallax.id} is not an interactive model`)
  if (!model.fileUrl) throw new Error(`${manifest.parallax.id} has no model file yet`)
  const pixels = ownBuffer(slicePixels)
  const before = previous ? ownBuffer(previous) : null
  return channel.request(
    (id) => ({ type: 'refine', id, manifest, fileUrl: model.fileUrl!, provider, slice: { pixels, columns, rows }, clicks, previous: before }),
    [pixels.buffer, ...(before ? [before.buffer] : [])],
  )
}

/** The array itself when it owns its whole buffer, else a copy: transferring a view's buffer would empty whatever else lies in it (a labelmap document). */
function ownBuffer<T extends Float32Array | Uint8Array>(array: T): T {
  return array.byteOffset === 0 && array.byteLength === array.buffer.byteLength ? array : (array.slice() as T)
}

/** Gives back the worker's sessions of one model (every version and provider); resolves to how many. */
export function releaseModel(modelId: string): Promise<number> {
  return channel.release(modelId)
}

/** Gives back every session the worker keeps; resolves to how many. */
export function releaseAll(): Promise<number> {
  return channel.release(null)
}
