/// <reference lib="webworker" />
// Runs one model on one series off the main thread, so the viewer stays responsive. The
// execution provider is chosen explicitly (WebGPU when an adapter exists, else WASM) and
// the one that actually ran is reported; when WebGPU fails the run is retried on WASM.
// Cancelling terminates this worker: ONNX Runtime cannot interrupt a running session.
import * as ort from 'onnxruntime-web/webgpu'
import { explainSlice } from '../explain/explain-slice'
import type { ExecutionProvider, ExplainRequest, InferenceErrorKind, InferenceRequest, InferenceResponse, ModelCheckRequest, WorkerRequest } from './inference-protocol'
import { planModelCheck } from './model-check'
import { assertModelIntegrity, ModelIntegrityError } from './model-integrity'
import { runSliceModel, segmentStack, type InferenceProgress, type ModelSession, type SliceModelResult, type TensorData } from './run-model'
import { stackToVolume } from './slice-stack'

const scope = self as unknown as DedicatedWorkerGlobalScope
const modelCache = 'parallax-models-v1'

function post(message: InferenceResponse, transfer: Transferable[] = []) {
  scope.postMessage(message, transfer)
}

/** The model bytes, from Cache Storage when a verified copy is there, else downloaded and cached. */
async function loadModel(fileUrl: string, sha256: string): Promise<Uint8Array> {
  const cache = 'caches' in scope ? await scope.caches.open(modelCache) : null
  const cached = await cache?.match(fileUrl)
  if (cached) {
    const bytes = new Uint8Array(await cached.arrayBuffer())
    try {
      await assertModelIntegrity(bytes, sha256)
      return bytes
    } catch {
      // A damaged cache entry is dropped and the file fetched again.
      await cache?.delete(fileUrl)
    }
  }
  const response = await fetch(fileUrl, { credentials: 'same-origin' })
  if (!response.ok) throw new DownloadError(`Downloading the model failed (HTTP ${response.status}).`)
  const bytes = new Uint8Array(await response.arrayBuffer())
  await assertModelIntegrity(bytes, sha256)
  await cache?.put(fileUrl, new Response(bytes.slice(), { headers: { 'content-type': 'application/octet-stream' } }))
  return bytes
}

class DownloadError extends Error {}

async function webGpuAvailable(): Promise<boolean> {
  const gpu = (scope.navigator as Navigator & { gpu?: { requestAdapter(): Promise<unknown> } }).gpu
  if (!gpu) return false
  try {
    return (await gpu.requestAdapter()) !== null
  } catch {
    return false
  }
}

function configureWasm() {
  // Threads need cross-origin isolation (SharedArrayBuffer); SIMD is detected by ORT itself.
  ort.env.wasm.numThreads = scope.crossOriginIsolated ? Math.min(4, scope.navigator.hardwareConcurrency || 1) : 1
}

async function createSession(model: Uint8Array, provider: ExecutionProvider): Promise<ModelSession> {
  const session = await ort.InferenceSession.create(model, { executionProviders: [provider], graphOptimizationLevel: 'all' })
  const [inputName] = session.inputNames
  if (!inputName) throw new Error('The model has no inputs')
  return {
    async run(input: TensorData, outputNames: readonly string[]) {
      const feeds = { [inputName]: new ort.Tensor('float32', input.data, [...input.dims]) }
      const results = await session.run(feeds, [...outputNames])
      const out: Record<string, TensorData> = {}
      for (const name of outputNames) {
        const tensor = results[name]
        if (!tensor) continue
        out[name] = { data: (await tensor.getData()) as Float32Array, dims: tensor.dims }
        tensor.dispose()
      }
      return out
    },
  }
}

function classify(error: unknown): { kind: InferenceErrorKind; message: string } {
  const text = error instanceof Error ? error.message : String(error)
  if (error instanceof ModelIntegrityError) return { kind: 'integrity', message: text }
  if (error instanceof DownloadError) return { kind: 'download', message: text }
  if (/out of memory|OOM|allocation failed|Aborted\(\)|memory access out of bounds|Maximum call stack/i.test(text)) {
    return { kind: 'out-of-memory', message: `The model ran out of memory on this machine: ${text}` }
  }
  if (/not implemented|could not find an implementation|unsupported (op|operator)|no kernel/i.test(text)) {
    return { kind: 'unsupported-operator', message: `The model uses an operator this runtime does not support: ${text}` }
  }
  return { kind: 'failed', message: text }
}

async function run(request: InferenceRequest) {
  const timings = { loadModelMs: 0, createSessionMs: 0, preprocessingMs: 0, inferenceMs: 0, postprocessingMs: 0 }
  let provider: ExecutionProvider | null = null
  try {
    let started = performance.now()
    post({ type: 'progress', progress: { stage: 'loading-model', done: 0, total: 1 } })
    const model = await loadModel(request.fileUrl, request.manifest.parallax.file.sha256)
    timings.loadModelMs = performance.now() - started

    configureWasm()
    provider = request.provider === 'auto' ? ((await webGpuAvailable()) ? 'webgpu' : 'wasm') : request.provider
    const { manifest, geometry } = request
    let fallbackReason: string | null = null
    const attempt = async (ep: ExecutionProvider): Promise<Omit<Extract<InferenceResponse, { type: 'result' }>, 'type' | 'executionProvider' | 'fallbackReason' | 'timings'> & { timings: SliceModelResult['timings'] }> => {
      post({ type: 'progress', progress: { stage: 'creating-session', done: 0, total: 1 } })
      started = performance.now()
      const session = await createSession(model, ep)
      timings.createSessionMs = performance.now() - started
      const onProgress = (progress: InferenceProgress) => post({ type: 'progress', progress })
      if (manifest.parallax.dimensionality === '2d') {
        const images = request.pixels.map((pixels) => ({ pixels, columns: geometry.columns, rows: geometry.rows }))
        const result = await runSliceModel(manifest, images, session, { onProgress })
        return {
          kind: result.kind,
          labels: result.labels,
          labelCounts: result.labelCounts,
          foreground: result.probabilities ? { probabilities: result.probabilities, ...result.modelSize } : null,
          sliceProbabilities: result.sliceProbabilities,
          seriesProbabilities: result.seriesProbabilities,
          timings: result.timings,
        }
      }
      const stack = stackToVolume(geometry, request.positions.map((position, index) => ({ position, pixels: request.pixels[index]! })))
      const result = await segmentStack(manifest, stack, session, { onProgress })
      return { kind: 'segmentation', labels: result.labels, labelCounts: result.labelCounts, foreground: null, sliceProbabilities: null, seriesProbabilities: null, timings: result.timings }
    }
    let result
    try {
      result = await attempt(provider)
    } catch (error) {
      if (provider !== 'webgpu') throw error
      fallbackReason = classify(error).message
      provider = 'wasm'
      result = await attempt(provider)
    }
    Object.assign(timings, result.timings)
    const transfer = [...(result.labels ? [result.labels.buffer] : []), ...(result.foreground?.probabilities.map((slice) => slice.buffer) ?? [])]
    post({ type: 'result', ...result, executionProvider: provider, fallbackReason, timings }, transfer)
  } catch (error) {
    const { kind, message } = classify(error)
    post({ type: 'error', kind, message, executionProvider: provider })
  }
}

async function check(request: ModelCheckRequest) {
  try {
    const model = await loadModel(request.fileUrl, request.manifest.parallax.file.sha256)
    configureWasm()
    if (request.provider === 'webgpu' && !(await webGpuAvailable())) throw new Error('This browser offers no WebGPU adapter.')
    const plan = planModelCheck(request.manifest, model)
    let started = performance.now()
    const session = await createSession(plan.model, request.provider)
    const sessionMs = performance.now() - started
    // The first run pays for kernel compilation and buffer allocation; a second, timed run
    // shows the steady speed (and must give the same numbers).
    started = performance.now()
    const output = (await session.run(plan.input, [request.manifest.parallax.output]))[request.manifest.parallax.output]
    if (!output) throw new Error(`The model returned no "${request.manifest.parallax.output}" output`)
    const firstRunMs = performance.now() - started
    started = performance.now()
    await session.run(plan.input, [request.manifest.parallax.output])
    const runMs = performance.now() - started
    post({ type: 'check-result', output: output.data, dims: [...output.dims], executionProvider: request.provider, description: plan.description, sessionMs, firstRunMs, runMs }, [output.data.buffer])
  } catch (error) {
    post({ type: 'error', ...classify(error), executionProvider: request.provider })
  }
}

async function explain(request: ExplainRequest) {
  let provider: ExecutionProvider | null = null
  try {
    const started = performance.now()
    const model = await loadModel(request.fileUrl, request.manifest.parallax.file.sha256)
    configureWasm()
    provider = request.provider === 'auto' ? ((await webGpuAvailable()) ? 'webgpu' : 'wasm') : request.provider
    let session: ModelSession
    try {
      session = await createSession(model, provider)
    } catch (error) {
      if (provider !== 'webgpu') throw error
      provider = 'wasm'
      session = await createSession(model, provider)
    }
    const heatmap = await explainSlice(request.manifest, model, session, request.image, request.method, { onProgress: (done, total) => post({ type: 'explain-progress', done, total }) })
    post(
      { type: 'explain-result', heatmap: heatmap.values, columns: heatmap.columns, rows: heatmap.rows, method: request.method, executionProvider: provider, durationMs: performance.now() - started },
      [heatmap.values.buffer],
    )
  } catch (error) {
    post({ type: 'error', ...classify(error), executionProvider: provider })
  }
}

scope.onmessage = (event: MessageEvent<WorkerRequest>) => {
  if (event.data.type === 'run') void run(event.data)
  else if (event.data.type === 'check') void check(event.data)
  else if (event.data.type === 'explain') void explain(event.data)
}
