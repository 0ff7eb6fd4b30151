import type { ExplainMethod } from './explain-slice'
import type { SliceClick } from './interactive'
import type { ModelManifest } from './manifest'
import type { ModelOutput } from './model-output'
import type { executionProviderSchema, ProviderMeasurement } from './provider-choice'
import type { z } from 'zod'
import type { InferenceProgress } from './run-model'
import type { SliceStackGeometry, Vec3 } from '../dicom/geometry'

// Messages between the page and its one inference worker. Every message carries the `id`
// of the request it belongs to (a cancel names the request it stops), so replies to
// requests in flight at the same time cannot be confused. Pixels go to the worker and
// labels come back as transferred buffers; nothing here ever leaves the browser.

export type ExecutionProvider = z.infer<typeof executionProviderSchema>
export type ProviderPreference = ExecutionProvider | 'auto'

export interface ModelFile {
  manifest: ModelManifest
  fileUrl: string
}

/** One model on one series; the worker keeps the model's session for the next request. */
export interface RunRequest extends ModelFile {
  type: 'run'
  id: number
  geometry: SliceStackGeometry
  positions: Vec3[]
  /** Modality values per image, in the order of `positions`. */
  pixels: Float32Array[]
  provider: ProviderPreference
  /** With "auto": time a warm pass on each provider first and run on the faster (the page has no stored choice yet). */
  measure: boolean
}

/** A heatmap explaining the model's result on one image. */
export interface ExplainRequest extends ModelFile {
  type: 'explain'
  id: number
  provider: ProviderPreference
  image: { pixels: Float32Array; columns: number; rows: number }
  method: ExplainMethod
}

/**
 * An interactive model's answer to the clicks on one slice: the slice's new mask. The
 * session stays kept, so the next click on the slice costs one forward pass.
 */
export interface RefineRequest extends ModelFile {
  type: 'refine'
  id: number
  provider: ProviderPreference
  /** Modality values of the slice, rows × columns. */
  slice: { pixels: Float32Array; columns: number; rows: number }
  /** Every click on the slice so far, in its pixel coordinates. */
  clicks: SliceClick[]
  /** The segment on the slice before this click (0/1), or null. */
  previous: Uint8Array | null
}

/** A raw forward pass on the model's check input (model-check.ts) on one provider, no fallback, in a session of its own. */
export interface CheckRequest extends ModelFile {
  type: 'check'
  id: number
  provider: ExecutionProvider
}

/**
 * Loads the model (Cache Storage, else downloaded, SHA-256 checked) and creates its session
 * on the provider a run would use, ahead of the run, so that the Run click reuses it. Queued
 * like every request: a run posted while a warm-up is under way waits for it and reuses its
 * session, so one model never gets two sessions created at once.
 */
export interface WarmRequest extends ModelFile {
  type: 'warm'
  id: number
  provider: ProviderPreference
}

/** Gives back the sessions kept for one model (every version and provider), or for every model when `modelId` is null. */
export interface ReleaseRequest {
  type: 'release'
  id: number
  modelId: string | null
}

/** Stops the request `id` at its next checkpoint (between images, tiles or forward passes). */
export interface CancelRequest {
  type: 'cancel'
  id: number
}

export type WorkerRequest = RunRequest | ExplainRequest | RefineRequest | CheckRequest | WarmRequest | ReleaseRequest | CancelRequest

export type InferenceErrorKind = 'integrity' | 'unsupported-operator' | 'out-of-memory' | 'download' | 'cancelled' | 'failed'

export type RunProgress = InferenceProgress | { stage: 'loading-model' | 'creating-session'; done: number; total: number }

export interface RunTimings {
  loadModelMs: number
  createSessionMs: number
  preprocessingMs: number
  inferenceMs: number
  postprocessingMs: number
}

/** What a warm-up spent preparing a session before the request that first used it. */
export interface SessionWarmup {
  loadModelMs: number
  createSessionMs: number
}

/** Which session served a request: the provider it ran on, why WebGPU was given up (null when it was not), whether it was kept from before. */
export interface SessionUse {
  executionProvider: ExecutionProvider
  fallbackReason: string | null
  /** Why "auto" passed over the browser's WebGPU adapter (a software one), or null. */
  providerNote: string | null
  sessionReused: boolean
  /** Set on the first request served by a session a warm-up prepared (then `sessionReused` is true): what preparing it took, before this request. */
  warmup: SessionWarmup | null
  /** The WASM threads ORT runs with: more than 1 only on a cross-origin isolated page. */
  wasmThreads: number
  /** The timing that decided "auto" for this request, when it was measured here. */
  measurement: ProviderMeasurement | null
}

/**
 * When the worker took a run request off its port and when it posted the result, as epoch
 * milliseconds (performance.timeOrigin + now(), comparable across the page and its worker):
 * the page's stage marks place the transfers either side of the worker's own timings.
 */
export interface WorkerClock {
  receivedAt: number
  repliedAt: number
}

export type RunResult = { type: 'run-result'; id: number; output: ModelOutput; timings: RunTimings; clock: WorkerClock } & SessionUse

export type ExplainResult = {
  type: 'explain-result'
  id: number
  heatmap: Float32Array
  columns: number
  rows: number
  method: ExplainMethod
  durationMs: number
} & SessionUse

export type RefineResult = {
  type: 'refine-result'
  id: number
  /** 0/1 per pixel of the slice, rows × columns. */
  mask: Uint8Array
  foregroundPixels: number
  timings: RunTimings
  durationMs: number
} & SessionUse

export interface CheckResult {
  type: 'check-result'
  id: number
  output: Float32Array
  dims: number[]
  executionProvider: ExecutionProvider
  description: string
  sessionMs: number
  firstRunMs: number
  runMs: number
}

/** A warm-up done: the session is kept on `executionProvider`; `sessionReused` when it already was (nothing loaded or created). */
export type Warmed = { type: 'warmed'; id: number } & SessionWarmup & Pick<SessionUse, 'executionProvider' | 'fallbackReason' | 'sessionReused'>

export interface Released {
  type: 'released'
  id: number
  sessions: number
}

export interface ErrorReply {
  type: 'error'
  id: number
  kind: InferenceErrorKind
  message: string
  executionProvider: ExecutionProvider | null
}

export type ProgressReply = { type: 'run-progress'; id: number; progress: RunProgress } | { type: 'explain-progress'; id: number; done: number; total: number }

export type FinalReply = RunResult | ExplainResult | RefineResult | CheckResult | Warmed | Released | ErrorReply

export type WorkerReply = ProgressReply | FinalReply

/** The reply that settles each kind of request (besides an error). */
export interface ResultOf {
  run: RunResult
  explain: ExplainResult
  refine: RefineResult
  check: CheckResult
  warm: Warmed
  release: Released
}

export const resultType = { run: 'run-result', explain: 'explain-result', refine: 'refine-result', check: 'check-result', warm: 'warmed', release: 'released' } as const satisfies {
  [K in keyof ResultOf]: ResultOf[K]['type']
}
