/// <reference lib="webworker" />
// The page's one inference worker: runs models and explanations off the main thread, so the
// viewer stays responsive, and keeps each model's ORT session between requests
// (session-pool.ts), so a second run or an explanation starts at once. Requests run one at a
// time and a cancel stops one at its next checkpoint (job-queue.ts). The execution provider
// is chosen explicitly (WebGPU when an adapter exists, else WASM) and the one that actually
// ran is reported; when WebGPU fails, the work is redone on WASM (`withSession`, the one
// fallback path).
import { softwareAdapterReason, type AdapterDescription } from './webgpu-adapter'
import * as ort from 'onnxruntime-web/webgpu'
import { exhaustiveSwitchError } from '../errors'
import { explainSlice } from './explain-slice'
import type {
  CheckRequest,
  ExecutionProvider,
  ExplainRequest,
  InferenceErrorKind,
  ModelFile,
  ProviderPreference,
  RefineRequest,
  ReleaseRequest,
  RunProgress,
  RunRequest,
  SessionUse,
  WorkerReply,
  WorkerRequest,
} from './inference-protocol'
import { parseRefineInput, refineSlice } from './interactive'
import { InferenceCancelled, JobQueue, type Job } from './job-queue'
import { parseManifest } from './manifest'
import { planModelCheck } from './model-check'
import { assertModelIntegrity, ModelIntegrityError } from './model-integrity'
import { outputTransferables } from './model-output'
import { runModelOnSeries, type ModelSession, type TensorData } from './run-model'
import { sameSession, SessionPool, withWasmFallback, type SessionKey } from './session-pool'

const scope = self as unknown as DedicatedWorkerGlobalScope
const modelCache = 'parallax-models-v1'

function post(message: WorkerReply, transfer: Transferable[] = []) {
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

interface AdapterLike extends AdapterDescription {
  info?: AdapterDescription
}

/** The browser's WebGPU adapter, as far as it describes itself; null when it has none. */
async function webGpuAdapter(): Promise<AdapterDescription | null> {
  const gpu = (scope.navigator as Navigator & { gpu?: { requestAdapter(): Promise<AdapterLike | null> } }).gpu
  if (!gpu) return null
  try {
    const adapter = await gpu.requestAdapter()
    if (!adapter) return null
    // GPUAdapterInfo's fields are prototype getters: a spread would copy none of them.
    const info = adapter.info ?? {}
    return {
      vendor: info.vendor,
      architecture: info.architecture,
      device: info.device,
      description: info.description,
      isFallbackAdapter: info.isFallbackAdapter ?? adapter.isFallbackAdapter,
    }
  } catch {
    return null
  }
}

/** What "auto" runs on: WebGPU on a hardware adapter, else WASM, with the reason when WebGPU was passed over. */
async function autoProvider(): Promise<{ provider: ExecutionProvider; note: string | null }> {
  const adapter = await webGpuAdapter()
  if (!adapter) return { provider: 'wasm', note: null }
  const software = softwareAdapterReason(adapter)
  return software ? { provider: 'wasm', note: `WASM chosen: ${software}, slower than WASM on this CPU` } : { provider: 'webgpu', note: null }
}

// Threads need cross-origin isolation (SharedArrayBuffer); SIMD is detected by ORT itself.
// Set once, before the first session: ORT reads it when it starts its WASM runtime.
ort.env.wasm.numThreads = scope.crossOriginIsolated ? Math.min(4, scope.navigator.hardwareConcurrency || 1) : 1

/** A kept session, with the model's bytes (CAM reads the final layer's weights from them). */
interface OrtSession extends ModelSession {
  bytes: Uint8Array
  release(): Promise<void>
}

async function createSession(model: Uint8Array, provider: ExecutionProvider): Promise<OrtSession> {
  const session = await ort.InferenceSession.create(model, { executionProviders: [provider], graphOptimizationLevel: 'all' })
  const [inputName] = session.inputNames
  if (!inputName) {
    await session.release()
    throw new Error('The model has no inputs')
  }
  return {
    bytes: model,
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
    release: () => session.release(),
  }
}

function classify(error: unknown): { kind: InferenceErrorKind; message: string } {
  const text = error instanceof Error ? error.message : String(error)
  if (error instanceof InferenceCancelled) return { kind: 'cancelled', message: text }
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

/** Why a WebGPU failure is worth a retry on WASM, or null when WASM would fail the same way (a cancel, a bad file). */
function fallbackReason(error: unknown): string | null {
  const { kind, message } = classify(error)
  return kind === 'failed' || kind === 'unsupported-operator' || kind === 'out-of-memory' ? message : null
}

const sessions = new SessionPool<OrtSession>()
const jobs = new JobQueue()

/** The provider a request is using, for its error reply. */
interface Attempt {
  provider: ExecutionProvider | null
}

/**
 * The one way from a provider preference to a session doing `work`: the kept session when
 * there is one, else the model loaded (Cache Storage or download, SHA-256 checked) and a new
 * session kept; when WebGPU fails, creating the session or running it, that session is
 * released and the work is done again on WASM.
 */
async function withSession<T>(
  request: ModelFile,
  preference: ProviderPreference,
  job: Job,
  attempt: Attempt,
  work: (session: OrtSession) => Promise<T>,
  onStage: (stage: 'loading-model' | 'creating-session') => void = () => {},
) {
  const timings = { loadModelMs: 0, createSessionMs: 0 }
  let bytes: Uint8Array | null = null
  let sessionReused = false
  const { provider: preferred, note: providerNote } = preference === 'auto' ? await autoProvider() : { provider: preference, note: null }
  const {
    value,
    provider,
    fallbackReason: reason,
  } = await withWasmFallback(
    preferred,
    async (provider) => {
      attempt.provider = provider
      const key: SessionKey = { modelId: request.manifest.parallax.id, sha256: request.manifest.parallax.file.sha256, provider }
      const kept = await sessions.acquire(key, async () => {
        if (!bytes) {
          onStage('loading-model')
          const started = performance.now()
          bytes = await loadModel(request.fileUrl, key.sha256)
          timings.loadModelMs = performance.now() - started
          await job.checkpoint()
        }
        onStage('creating-session')
        const started = performance.now()
        const session = await createSession(bytes, provider)
        timings.createSessionMs = performance.now() - started
        return session
      })
      sessionReused = kept.reused
      try {
        await job.checkpoint()
        return await work(kept.session)
      } catch (error) {
        // A WebGPU session that failed is not trusted with the next request.
        if (provider === 'webgpu' && !(error instanceof InferenceCancelled)) await sessions.release(sameSession(key))
        throw error
      }
    },
    fallbackReason,
  )
  const use: SessionUse = { executionProvider: provider, fallbackReason: reason, providerNote, sessionReused, wasmThreads: ort.env.wasm.numThreads ?? 1 }
  return { value, timings, use }
}

const epochNow = () => performance.timeOrigin + performance.now()

async function run(request: RunRequest, receivedAt: number, job: Job, attempt: Attempt) {
  const progress = (progress: RunProgress) => post({ type: 'run-progress', id: request.id, progress })
  const { manifest, geometry } = request
  const options = { onProgress: progress, checkpoint: job.checkpoint }
  const { value, timings, use } = await withSession(
    request,
    request.provider,
    job,
    attempt,
    async (session) => {
      return runModelOnSeries(manifest, { geometry, positions: request.positions, pixels: request.pixels }, session, options)
    },
    (stage) => progress({ stage, done: 0, total: 1 }),
  )
  post(
    { type: 'run-result', id: request.id, output: value.output, timings: { ...timings, ...value.timings }, clock: { receivedAt, repliedAt: epochNow() }, ...use },
    outputTransferables(value.output),
  )
}

async function explain(request: ExplainRequest, job: Job, attempt: Attempt) {
  const started = performance.now()
  const onProgress = (done: number, total: number) => post({ type: 'explain-progress', id: request.id, done, total })
  const { value: heatmap, use } = await withSession(request, request.provider, job, attempt, (session) =>
    explainSlice(request.manifest, session.bytes, session, request.image, request.method, { onProgress, checkpoint: job.checkpoint }),
  )
  post(
    {
      type: 'explain-result',
      id: request.id,
      heatmap: heatmap.values,
      columns: heatmap.columns,
      rows: heatmap.rows,
      method: request.method,
      durationMs: performance.now() - started,
      ...use,
    },
    [heatmap.values.buffer],
  )
}

/** One click on an interactive model: the manifest and the request checked here, at the worker's boundary, then one forward pass in the kept session. */
async function refine(request: RefineRequest, job: Job, attempt: Attempt) {
  const started = performance.now()
  const manifest = parseManifest(request.manifest)
  const input = parseRefineInput(request)
  const { value, timings, use } = await withSession(request, request.provider, job, attempt, (session) => refineSlice(manifest, session, input))
  post(
    {
      type: 'refine-result',
      id: request.id,
      mask: value.mask,
      foregroundPixels: value.foregroundPixels,
      timings: { ...timings, ...value.timings },
      durationMs: performance.now() - started,
      ...use,
    },
    [value.mask.buffer],
  )
}

/** The check times creating a session and may run relaxed bytes (model-check.ts), so it uses a session of its own, released after. */
async function check(request: CheckRequest, job: Job, attempt: Attempt) {
  attempt.provider = request.provider
  const model = await loadModel(request.fileUrl, request.manifest.parallax.file.sha256)
  if (request.provider === 'webgpu' && !(await webGpuAdapter())) throw new Error('This browser offers no WebGPU adapter.')
  const plan = planModelCheck(request.manifest, model)
  await job.checkpoint()
  let started = performance.now()
  const session = await createSession(plan.model, request.provider)
  const sessionMs = performance.now() - started
  try {
    // The first run pays for kernel compilation and buffer allocation; a second, timed run
    // shows the steady speed (and must give the same numbers).
    started = performance.now()
    const output = (await session.run(plan.input, [request.manifest.parallax.output]))[request.manifest.parallax.output]
    if (!output) throw new Error(`The model returned no "${request.manifest.parallax.output}" output`)
    const firstRunMs = performance.now() - started
    await job.checkpoint()
    started = performance.now()
    await session.run(plan.input, [request.manifest.parallax.output])
    const runMs = performance.now() - started
    post(
      {
        type: 'check-result',
        id: request.id,
        output: output.data,
        dims: [...output.dims],
        executionProvider: request.provider,
        description: plan.description,
        sessionMs,
        firstRunMs,
        runMs,
      },
      [output.data.buffer],
    )
  } finally {
    await session.release()
  }
}

async function release(request: ReleaseRequest) {
  const released = await sessions.release(request.modelId === null ? undefined : (key) => key.modelId === request.modelId)
  post({ type: 'released', id: request.id, sessions: released })
}

/**
 * Queues a request; whatever it throws becomes its error reply. Running out of memory gives
 * every kept session back, so that the next request (on WebGPU, or in a WASM heap that is
 * still sound) starts from a clean state.
 */
function enqueue(id: number, handle: (job: Job, attempt: Attempt) => Promise<void>) {
  const attempt: Attempt = { provider: null }
  jobs.enqueue(
    id,
    async (job) => {
      try {
        await handle(job, attempt)
      } catch (error) {
        const { kind, message } = classify(error)
        if (kind === 'out-of-memory') await sessions.release()
        post({ type: 'error', id, kind, message, executionProvider: attempt.provider })
      }
    },
    () => post({ type: 'error', id, kind: 'cancelled', message: 'Cancelled', executionProvider: null }),
  )
}

scope.onmessage = (event: MessageEvent<WorkerRequest>) => {
  const request = event.data
  switch (request.type) {
    case 'run': {
      const receivedAt = epochNow()
      enqueue(request.id, (job, attempt) => run(request, receivedAt, job, attempt))
      break
    }
    case 'explain':
      enqueue(request.id, (job, attempt) => explain(request, job, attempt))
      break
    case 'refine':
      enqueue(request.id, (job, attempt) => refine(request, job, attempt))
      break
    case 'check':
      enqueue(request.id, (job, attempt) => check(request, job, attempt))
      break
    case 'release':
      // Queued like the rest: a session in use is released once its request is done.
      enqueue(request.id, () => release(request))
      break
    case 'cancel':
      jobs.cancel(request.id)
      break
    default:
      exhaustiveSwitchError(request)
  }
}
