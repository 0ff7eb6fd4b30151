import type { ExplainMethod } from '../explain/explain-slice'
import type { InferenceProgress } from './run-model'
import type { ModelManifest } from './manifest'
import type { SliceStackGeometry } from './slice-stack'
import type { Vec3 } from './volume'

// Messages between the viewer and the inference worker. Pixels go to the worker and labels
// come back as transferred buffers; nothing here ever leaves the browser.

export type ExecutionProvider = 'webgpu' | 'wasm'
export type ProviderPreference = ExecutionProvider | 'auto'

export interface InferenceRequest {
  type: 'run'
  manifest: ModelManifest
  fileUrl: string
  geometry: SliceStackGeometry
  positions: Vec3[]
  /** Modality values per image, in the order of `positions`. */
  pixels: Float32Array[]
  provider: ProviderPreference
}

/** A raw forward pass on the model's check input (model-check.ts) on one provider, no fallback. */
export interface ModelCheckRequest {
  type: 'check'
  manifest: ModelManifest
  fileUrl: string
  provider: ExecutionProvider
}

/** A heatmap explaining the model's result on one image. */
export interface ExplainRequest {
  type: 'explain'
  manifest: ModelManifest
  fileUrl: string
  provider: ProviderPreference
  image: { pixels: Float32Array; columns: number; rows: number }
  method: ExplainMethod
}

export type WorkerRequest = InferenceRequest | ModelCheckRequest | ExplainRequest

export type InferenceErrorKind = 'integrity' | 'unsupported-operator' | 'out-of-memory' | 'download' | 'failed'

export type InferenceResponse =
  | { type: 'progress'; progress: InferenceProgress | { stage: 'loading-model' | 'creating-session'; done: number; total: number } }
  | {
      type: 'result'
      kind: 'segmentation' | 'classification'
      /** Segmentation: one label per pixel of each image, in request order. */
      labels: Uint8Array | null
      labelCounts: number[]
      /** 2D segmentation: the foreground probability per pixel of each image at the model's resolution. */
      foreground: { probabilities: Float32Array[]; columns: number; rows: number } | null
      /** Classification: calibrated probabilities per image and for the series. */
      sliceProbabilities: number[][] | null
      seriesProbabilities: number[] | null
      executionProvider: ExecutionProvider
      /** Set when WebGPU failed and the run was retried on WASM. */
      fallbackReason: string | null
      timings: { loadModelMs: number; createSessionMs: number; preprocessingMs: number; inferenceMs: number; postprocessingMs: number }
    }
  | { type: 'explain-progress'; done: number; total: number }
  | { type: 'explain-result'; heatmap: Float32Array; columns: number; rows: number; method: ExplainMethod; executionProvider: ExecutionProvider; durationMs: number }
  | { type: 'check-result'; output: Float32Array; dims: number[]; executionProvider: ExecutionProvider; description: string; sessionMs: number; firstRunMs: number; runMs: number }
  | { type: 'error'; kind: InferenceErrorKind; message: string; executionProvider: ExecutionProvider | null }
