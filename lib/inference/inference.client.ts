'use client'
import type { ExplainRequest, InferenceRequest, InferenceResponse, ModelCheckRequest } from './inference-protocol'

// One worker per run: it holds hundreds of megabytes while a 3D model runs, terminating
// it afterwards returns them at once, and terminating it is the only way to cancel.

export type InferenceResult = Extract<InferenceResponse, { type: 'result' }>
export type InferenceProgressMessage = Extract<InferenceResponse, { type: 'progress' }>['progress']

export class InferenceRunError extends Error {
  constructor(readonly kind: Extract<InferenceResponse, { type: 'error' }>['kind'] | 'cancelled' | 'worker', message: string, readonly executionProvider: 'webgpu' | 'wasm' | null = null) {
    super(message)
    this.name = 'InferenceRunError'
  }
}

export interface InferenceRun {
  result: Promise<InferenceResult>
  cancel(): void
}

export function startInference(request: Omit<InferenceRequest, 'type'>, onProgress: (progress: InferenceProgressMessage) => void): InferenceRun {
  const worker = new Worker(new URL('./inference.worker.ts', import.meta.url), { type: 'module' })
  let settle: { resolve: (value: InferenceResult) => void; reject: (error: Error) => void } | undefined
  const result = new Promise<InferenceResult>((resolve, reject) => {
    settle = { resolve, reject }
  })
  const finish = (outcome: InferenceResult | Error) => {
    worker.terminate()
    if (!settle) return
    if (outcome instanceof Error) settle.reject(outcome)
    else settle.resolve(outcome)
    settle = undefined
  }
  worker.onmessage = (event: MessageEvent<InferenceResponse>) => {
    const message = event.data
    if (message.type === 'progress') onProgress(message.progress)
    else if (message.type === 'result') finish(message)
    else if (message.type === 'error') finish(new InferenceRunError(message.kind, message.message, message.executionProvider))
  }
  worker.onerror = (event) => finish(new InferenceRunError('worker', `The inference worker stopped: ${event.message || 'unknown error'}`))
  const message: InferenceRequest = { type: 'run', ...request }
  worker.postMessage(message, request.pixels.map((pixels) => pixels.buffer))
  return { result, cancel: () => finish(new InferenceRunError('cancelled', 'Cancelled')) }
}

export type ModelCheckResult = Extract<InferenceResponse, { type: 'check-result' }>

/** Runs the model's check input on one provider in a fresh worker. */
export function checkModel(request: Omit<ModelCheckRequest, 'type'>): Promise<ModelCheckResult> {
  const worker = new Worker(new URL('./inference.worker.ts', import.meta.url), { type: 'module' })
  return new Promise<ModelCheckResult>((resolve, reject) => {
    worker.onmessage = (event: MessageEvent<InferenceResponse>) => {
      const message = event.data
      if (message.type === 'check-result') resolve(message)
      else if (message.type === 'error') reject(new InferenceRunError(message.kind, message.message, message.executionProvider))
      else return
      worker.terminate()
    }
    worker.onerror = (event) => {
      worker.terminate()
      reject(new InferenceRunError('worker', `The inference worker stopped: ${event.message || 'unknown error'}`))
    }
    const message: ModelCheckRequest = { type: 'check', ...request }
    worker.postMessage(message)
  })
}

export type ExplainResult = Extract<InferenceResponse, { type: 'explain-result' }>

/** Computes a heatmap for one image in a fresh worker; cancel() terminates it. */
export function startExplanation(request: Omit<ExplainRequest, 'type'>, onProgress: (done: number, total: number) => void): { result: Promise<ExplainResult>; cancel(): void } {
  const worker = new Worker(new URL('./inference.worker.ts', import.meta.url), { type: 'module' })
  let reject: (error: Error) => void = () => {}
  const result = new Promise<ExplainResult>((resolve, rejectWith) => {
    reject = rejectWith
    worker.onmessage = (event: MessageEvent<InferenceResponse>) => {
      const message = event.data
      if (message.type === 'explain-progress') return onProgress(message.done, message.total)
      worker.terminate()
      if (message.type === 'explain-result') resolve(message)
      else if (message.type === 'error') rejectWith(new InferenceRunError(message.kind, message.message, message.executionProvider))
    }
    worker.onerror = (event) => {
      worker.terminate()
      rejectWith(new InferenceRunError('worker', `The inference worker stopped: ${event.message || 'unknown error'}`))
    }
  })
  const message: ExplainRequest = { type: 'explain', ...request }
  worker.postMessage(message, [request.image.pixels.buffer])
  return {
    result,
    cancel: () => {
      worker.terminate()
      reject(new InferenceRunError('cancelled', 'Cancelled'))
    },
  }
}
