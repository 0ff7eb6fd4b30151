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

export type WorkerRequest = InferenceRequest | ModelCheckRequest

export type InferenceErrorKind = 'integrity' | 'unsupported-operator' | 'out-of-memory' | 'download' | 'failed'

export type InferenceResponse =
  | { type: 'progress'; progress: InferenceProgress | { stage: 'loading-model' | 'creating-session'; done: number; total: number } }
  | {
      type: 'result'
      labels: Uint8Array
      labelCounts: number[]
      executionProvider: ExecutionProvider
      /** Set when WebGPU failed and the run was retried on WASM. */
      fallbackReason: string | null
      timings: { loadModelMs: number; createSessionMs: number; preprocessingMs: number; inferenceMs: number; postprocessingMs: number }
    }
  | { type: 'check-result'; output: Float32Array; dims: number[]; executionProvider: ExecutionProvider; description: string; sessionMs: number; runMs: number }
  | { type: 'error'; kind: InferenceErrorKind; message: string; executionProvider: ExecutionProvider | null }
