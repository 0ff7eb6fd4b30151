/// <reference lib="webworker" />
// The page's one inference worker: runs models and explanations off the main thread, so the
// viewer stays responsive, and keeps each model's ORT session between requests
// (session-pool.ts), so a second run or an explanation starts at once. Requests run one at a
// time and a cancel stops one at its next checkpoint (job-queue.ts). The execution provider
// is chosen explicitly (WebGPU when an adapter exists, else WASM) and the one that actually
// ran is reported; when WebGPU fails, the work is redone on WASM (`withSession`, the one
// fallback path).
import { queryWebGpuAdapter, softwareAdapterReason } from './webgpu-adapter'
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
  SessionWarmup,
  WarmRequest,
  WorkerReply,
  WorkerRequest,
} from './inference-protocol'
import { parseRefineInput, refineSlice } from './interactive'
import { InferenceCancelled, JobQueue, type Job } from './job-queue'
import { parseManifest } from './manifest'
import { planModelCheck } from './model-check'
import { DownloadError, loadModel } from './model-cache'
import { ModelIntegrityError } from './model-integrity'
import { outputTransferables } from './model-output'
import { throttled } from './progress-throttle'
import { describeMeasurement, type ProviderMeasurement } from './provider-choice'
import { measureProviders } from './provider-measure'
import { runModelOnSeries, type ModelSession, type TensorData } from './run-model'
import { sameSession, SessionPool, withWasmFallback, type SessionKey } from './session-pool'

const scope = self as unknown as DedicatedWorkerGlobalScope

function post(message: WorkerReply, transfer: Transferable[] = []) {
  scope.postMessage(message, transfer)
}

/** The browser's WebGPU adapter, as far as it describes itself; null when it has none. */
const webGpuAdapter = () => queryWebGpuAdapter(scope.navigator)

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
  /** What a warm-up spent making this session, until the first request it serves reports it. */
  warmup: SessionWarmup | null
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
    warmup: null,
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

// Three: a provider measurement holds two of one model, and the reader's next model fits beside them.
const sessions = new SessionPool<OrtSession>(3)
const jobs = new JobQueue()

/** The provider a request is using, for its error reply. */
interface Attempt {
  provider: ExecutionProvider | null
}

/** The model's bytes and what loading them and creating sessions took, shared by a request's measurement and its run. */
interface Loaded {
  bytes: Uint8Array | null
  loadModelMs: number
  createSessionMs: number
}

type OnStage = (stage: 'loading-model' | 'creating-session') => void

/** The kept session of the model on `provider`, else the model loaded (Cache Storage or download, SHA-256 checked) and a new session kept. */
async function keptSession(request: ModelFile, provider: ExecutionProvider, job: Job, loaded: Loaded, onStage: OnStage) {
  const key: SessionKey = { modelId: request.manifest.parallax.id, sha256: request.manifest.parallax.file.sha256, provider }
  const kept = await sessions.acquire(key, async () => {
    const bytes = await modelBytes(request, job, loaded, onStage)
    onStage('creating-session')
    const started = performance.now()
    const session = await createSession(bytes, provider)
    loaded.createSessionMs += performance.now() - started
    return session
  })
  return { key, ...kept }
}

async function modelBytes(request: ModelFile, job: Job, loaded: Loaded, onStage: OnStage): Promise<Uint8Array> {
  if (loaded.bytes) return loaded.bytes
  onStage('loading-model')
  const started = performance.now()
  loaded.bytes = await loadModel(request.fileUrl, request.manifest.parallax.file.sha256)
  loaded.loadModelMs = performance.now() - started
  await job.checkpoint()
  return loaded.bytes
}

/**
 * The one way from a provider preference to a session doing `work`: the kept session (see
 * keptSession); when WebGPU fails, creating the session or running it, that session is
 * released and the work is done again on WASM.
 */
async function withSession<T>(
  request: ModelFile,
  preference: ProviderPreference,
  job: Job,
  attempt: Attempt,
  work: (session: OrtSession) => Promise<T>,
  onStage: OnStage = () => {},
  loaded: Loaded = { bytes: null, loadModelMs: 0, createSessionMs: 0 },
) {
  let sessionReused = false
  let warmup: SessionWarmup | null = null
  const { provider: preferred, note: providerNote } = preference === 'auto' ? await autoProvider() : { provider: preference, note: null }
  const {
    value,
    provider,
    fallbackReason: reason,
  } = await withWasmFallback(
    preferred,
    async (provider) => {
      attempt.provider = provider
      const { key, session, reused } = await keptSession(request, provider, job, loaded, onStage)
      sessionReused = reused
      warmup = session.warmup
      session.warmup = null
      try {
        await job.checkpoint()
        return await work(session)
      } catch (error) {
        // A WebGPU session that failed is not trusted with the next request.
        if (provider === 'webgpu' && !(error instanceof InferenceCancelled)) await sessions.release(sameSession(key))
        throw error
      }
    },
    fallbackReason,
  )
  const use: SessionUse = {
    executionProvider: provider,
    fallbackReason: reason,
    providerNote,
    // Kept from before this request: not when this request made it (a measurement first).
    sessionReused: sessionReused && loaded.createSessionMs === 0,
    warmup,
    wasmThreads: ort.env.wasm.numThreads ?? 1,
    measurement: null,
  }
  return { value, timings: { loadModelMs: loaded.loadModelMs, createSessionMs: loaded.createSessionMs }, use }
}

/**
 * "Auto" on its first use for a model in this browser: a warm pass timed on each provider it
 * may use (provider-measure.ts), in the sessions the run then keeps using; the slower
 * provider's session is given back.
 */
async function measure(request: RunRequest, job: Job, attempt: Attempt, loaded: Loaded, onStage: OnStage): Promise<ProviderMeasurement> {
  const bytes = await modelBytes(request, job, loaded, onStage)
  const measurement = await measureProviders(request.manifest, bytes, await webGpuAdapter(), {
    async open(provider, model) {
      attempt.provider = provider
      if (model === bytes) return { session: (await keptSession(request, provider, job, loaded, onStage)).session, done: async () => {} }
      const session = await createSession(model, provider)
      return { session, done: () => session.release() }
    },
    checkpoint: job.checkpoint,
    isCancel: (error) => error instanceof InferenceCancelled,
  })
  const modelId = request.manifest.parallax.id
  await sessions.release((key) => key.modelId === modelId && key.provider !== measurement.chosen)
  return measurement
}

const epochNow = () => performance.timeOrigin + performance.now()

async function run(request: RunRequest, receivedAt: number, job: Job, attempt: Attempt) {
  const progress = throttled((progress) => post({ type: 'run-progress', id: request.id, progress }))
  const { manifest, geometry } = request
  const options = { onProgress: progress, checkpoint: job.checkpoint }
  const onStage: OnStage = (stage) => progress({ stage, done: 0, total: 1 })
  const loaded: Loaded = { bytes: null, loadModelMs: 0, createSessionMs: 0 }
  const measurement = request.provider === 'auto' && request.measure ? await measure(request, job, attempt, loaded, onStage) : null
  const { value, timings, use } = await withSession(
    request,
    measurement?.chosen ?? request.provider,
    job,
    attempt,
    (session) => runModelOnSeries(manifest, { geometry, positions: request.positions, pixels: request.pixels }, session, options),
    onStage,
    loaded,
  )
  const decided = measurement ? { measurement, providerNote: describeMeasurement(measurement) } : {}
  post(
    {
      type: 'run-result',
      id: request.id,
      output: value.output,
      timings: { ...timings, ...value.timings },
      clock: { receivedAt, repliedAt: epochNow() },
      ...use,
      ...decided,
    },
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

/**
 * The session a run would use, made before the run: the model loaded and its session
 * created and kept, nothing run. The first request it then serves reports what this took
 * (`SessionUse.warmup`); a session that already existed keeps whatever it had to report.
 */
async function warm(request: WarmRequest, job: Job, attempt: Attempt) {
  const loaded: Loaded = { bytes: null, loadModelMs: 0, createSessionMs: 0 }
  const { value: session, timings, use } = await withSession(request, request.provider, job, attempt, async (session) => session, undefined, loaded)
  session.warmup = use.sessionReused ? use.warmup : timings
  post({ type: 'warmed', id: request.id, executionProvider: use.executionProvider, fallbackReason: use.fallbackReason, sessionReused: use.sessionReused, ...timings })
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
    case 'warm':
      enqueue(request.id, (job, attempt) => warm(request, job, attempt))
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
