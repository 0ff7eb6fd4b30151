import {
  resultType,
  type CancelRequest,
  type ExecutionProvider,
  type FinalReply,
  type InferenceErrorKind,
  type ProgressReply,
  type ResultOf,
  type WorkerReply,
  type WorkerRequest,
} from './inference-protocol'

// The page's side of its inference worker, without the Worker itself (inference.client.ts
// supplies it, tests a fake): the worker is started on the first request, each request gets
// a fresh id, and the replies carrying that id settle it. Cancelling answers the caller at
// once and asks the worker to stop; the worker is terminated only when it does not stop in
// time (cancelGraceMs), after crashing, and, lazily, after running out of WASM memory.

export class InferenceRunError extends Error {
  constructor(
    readonly kind: InferenceErrorKind | 'worker',
    message: string,
    readonly executionProvider: ExecutionProvider | null = null,
  ) {
    super(message)
    this.name = 'InferenceRunError'
  }
}

export interface InferenceRun<T> {
  result: Promise<T>
  cancel(): void
}

export interface WorkerPort {
  post(message: WorkerRequest, transfer: Transferable[]): void
  terminate(): void
}

/** Starts a worker whose replies go to `message` and whose failure (an uncaught error, a script that did not load) goes to `crash`. */
export type ConnectWorker = (events: { message(reply: WorkerReply): void; crash(reason: string): void }) => WorkerPort

type Request = Exclude<WorkerRequest, CancelRequest>

interface Connection {
  port: WorkerPort
  /** Takes no new requests and is terminated once its last one settles. */
  retiring: boolean
}

interface Pending {
  connection: Connection
  settle(reply: FinalReply): void
  reject(error: Error): void
  onProgress(reply: ProgressReply): void
  /** Set once cancelled: the caller has its answer; the entry waits for the worker's until the timer runs out. */
  cancelled: { timer: ReturnType<typeof setTimeout> } | null
}

/**
 * How long a cancelled request may take to reach its next checkpoint. Most never need it:
 * a 2D image, a tile or a batch of forward passes takes well under a second. One pass over
 * a whole 3D volume on WASM can take a minute, and ONNX Runtime cannot interrupt it; then
 * terminating the worker is the only way to stop it and get its memory back, at the price of
 * its kept sessions and of any request queued behind it.
 */
export const defaultCancelGraceMs = 2000

export class InferenceChannel {
  private connection: Connection | null = null
  private readonly pending = new Map<number, Pending>()
  private nextId = 1

  constructor(
    private readonly connect: ConnectWorker,
    private readonly cancelGraceMs = defaultCancelGraceMs,
  ) {}

  /** Posts the request `build` makes with a fresh id; it settles on the worker's result or error for that id. */
  request<M extends Request>(build: (id: number) => M, transfer: Transferable[] = [], onProgress: (reply: ProgressReply) => void = () => {}): InferenceRun<ResultOf[M['type']]> {
    const id = this.nextId++
    const message = build(id)
    const connection = this.current()
    const expected = resultType[message.type]
    const isResult = (reply: FinalReply): reply is ResultOf[M['type']] => reply.type === expected
    const result = new Promise<ResultOf[M['type']]>((resolve, reject) => {
      const settle = (reply: FinalReply) => {
        if (reply.type === 'error') reject(new InferenceRunError(reply.kind, reply.message, reply.executionProvider))
        else if (isResult(reply)) resolve(reply)
        else reject(new InferenceRunError('worker', `The inference worker answered a ${message.type} request with ${reply.type}`))
      }
      this.pending.set(id, { connection, settle, reject, onProgress, cancelled: null })
    })
    connection.port.post(message, transfer)
    return { result, cancel: () => this.cancel(id) }
  }

  /** Releases the worker's sessions of one model, or of all when `modelId` is null; with no worker started there is nothing to release. */
  async release(modelId: string | null): Promise<number> {
    if (!this.connection) return 0
    return (await this.request((id) => ({ type: 'release', id, modelId })).result).sessions
  }

  private current(): Connection {
    if (this.connection) return this.connection
    const connection: Connection = {
      retiring: false,
      port: this.connect({
        message: (reply) => this.receive(connection, reply),
        crash: (reason) => this.stop(connection, `The inference worker stopped: ${reason}`),
      }),
    }
    this.connection = connection
    return connection
  }

  private receive(connection: Connection, reply: WorkerReply) {
    const entry = this.pending.get(reply.id)
    if (!entry || entry.connection !== connection) return
    if (reply.type === 'run-progress' || reply.type === 'explain-progress') {
      if (!entry.cancelled) entry.onProgress(reply)
      return
    }
    this.pending.delete(reply.id)
    if (entry.cancelled) clearTimeout(entry.cancelled.timer)
    else entry.settle(reply)
    // A WASM heap never shrinks, and a runtime that ran out of memory may not run again:
    // the next request starts a fresh worker, this one goes once nothing waits on it.
    if (reply.type === 'error' && reply.kind === 'out-of-memory' && reply.executionProvider === 'wasm') this.retire(connection)
    if (connection.retiring && !this.waitsOn(connection)) connection.port.terminate()
  }

  private cancel(id: number) {
    const entry = this.pending.get(id)
    if (!entry || entry.cancelled) return
    entry.reject(new InferenceRunError('cancelled', 'Cancelled'))
    entry.cancelled = { timer: setTimeout(() => this.stop(entry.connection, 'The inference worker was restarted: a cancelled run did not stop in time.'), this.cancelGraceMs) }
    entry.connection.port.post({ type: 'cancel', id }, [])
  }

  private retire(connection: Connection) {
    connection.retiring = true
    if (this.connection === connection) this.connection = null
  }

  /** Terminates a worker and fails whatever still waits on it. */
  private stop(connection: Connection, reason: string) {
    this.retire(connection)
    connection.port.terminate()
    for (const [id, entry] of this.pending) {
      if (entry.connection !== connection) continue
      this.pending.delete(id)
      if (entry.cancelled) clearTimeout(entry.cancelled.timer)
      else entry.reject(new InferenceRunError('worker', reason))
    }
  }

  private waitsOn(connection: Connection): boolean {
    for (const entry of this.pending.values()) if (entry.connection === connection) return true
    return false
  }
}
