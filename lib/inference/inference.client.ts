'use client'
import type { ExplainRequest, InferenceRequest, InferenceResponse, ModelCheckRequest, WorkerRequest } from './inference-protocol'

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

export interface InferenceRun<T = InferenceResult> {
  result: Promise<T>
  cancel(): void
}

/**
 * Posts one request to a fresh worker and settles on its final message (the one `isFinal`
 * picks, or an error); progress messages go to `onProgress`. The worker is terminated when
 * the run settles or is cancelled.
 */
function runInWorker<T extends InferenceResponse>(
  message: WorkerRequest,
  transfer: Transferable[],
  isFinal: (message: InferenceResponse) => message is T,
  onProgress: (message: InferenceResponse) => void = () => {},
): InferenceRun<T> {
  const worker = new Worker(new URL('./inference.worker.ts', import.meta.url), { type: 'module' })
  let settle: { resolve: (value: T) => void; reject: (error: Error) => void } | undefined
  const result = new Promise<T>((resolve, reject) => {
    settle = { resolve, reject }
  })
  const finish = (outcome: T | Error) => {
    worker.terminate()
    if (!settle) return
    if (outcome instanceof Error) settle.reject(outcome)
    else settle.resolve(outcome)
    settle = undefined
  }
  worker.onmessage = (event: MessageEvent<InferenceResponse>) => {
    const response = event.data
    if (isFinal(response)) finish(response)
    else if (response.type === 'error') finish(new InferenceRunError(response.kind, response.message, response.executionProvider))
    else onProgress(response)
  }
  worker.onerror = (event) => finish(new InferenceRunError('worker', `The inference worker stopped: ${event.message || 'unknown error'}`))
  worker.postMessage(message, transfer)
  return { result, cancel: () => finish(new InferenceRunError('cancelled', 'Cancelled')) }
}

export function startInference(request: Omit<InferenceRequest, 'type'>, onProgress: (progress: InferenceProgressMessage) => void): InferenceRun {
  return runInWorker(
    { type: 'run', ...request },
    request.pixels.map((pixels) => pixels.buffer),
    (message): message is InferenceResult => message.type === 'result',
    (message) => message.type === 'progress' && onProgress(message.progress),
  )
}

export type ModelCheckResult = Extract<InferenceResponse, { type: 'check-result' }>

/** Runs the model's check input on one provider in a fresh worker. */
export function checkModel(request: Omit<ModelCheckRequest, 'type'>): Promise<ModelCheckResult> {
  return runInWorker({ type: 'check', ...request }, [], (message): message is ModelCheckResult => message.type === 'check-result').result
}

export type ExplainResult = Extract<InferenceResponse, { type: 'explain-result' }>

/** Computes a heatmap for one image in a fresh worker; cancel() terminates it. */
export function startExplanation(request: Omit<ExplainRequest, 'type'>, onProgress: (done: number, total: number) => void): InferenceRun<ExplainResult> {
  return runInWorker(
    { type: 'explain', ...request },
    [request.image.pixels.buffer],
    (message): message is ExplainResult => message.type === 'explain-result',
    (message) => message.type === 'explain-progress' && onProgress(message.done, message.total),
  )
}
