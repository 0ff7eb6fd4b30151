// The findings API under concurrent readers: N clients, each with its own next-auth session
// (the radiologist demo account), loop over a second read of a new study: open the read,
// propose 3 AI findings, decide each (accept, modify, reject), reload the worklist. Per
// request latency by operation, against the same workload from one client (sequential)
// and GET /api/health at the same concurrency (the floor: routing and HTTP alone), all
// against the same server in the same run.
import { percentile } from './format'
import { sender, type Answer, type Generator, type Send } from './http-transport'

export interface Credentials {
  username: string
  password: string
}

export const operations = ['open read', 'propose 3 findings', 'accept', 'modify', 'reject', 'worklist'] as const
export type Operation = (typeof operations)[number] | 'health'

export interface RequestError {
  op: Operation
  status: number | null
  message: string
}

export interface PhaseResult {
  clients: number
  iterations: number
  wallMs: number
  latencies: Map<Operation, number[]>
  errors: RequestError[]
  /** Iterations cut short by an error (the requests after it were not sent). */
  abandoned: number
}

export interface FindingsApiResult {
  /** How the clients sent their requests (http-transport.ts). */
  generator: Generator
  clients: number
  iterations: number
  prefill: number
  /** Worklist length seen at the end (the API returns at most 500 open reads). */
  worklistLength: number
  concurrent: PhaseResult
  sequential: PhaseResult
  healthConcurrent: PhaseResult
  healthSequential: PhaseResult
}

class HttpFailure extends Error {
  constructor(
    readonly op: Operation,
    readonly status: number | null,
    message: string,
  ) {
    super(message)
  }
}

/** One API client with its own cookie jar (its own session), like one browser. */
class ApiClient {
  private readonly cookies = new Map<string, string>()
  private readonly send: Send
  constructor(
    readonly baseURL: string,
    generator: Generator,
  ) {
    this.send = sender(generator)
  }

  private absorb(setCookies: string[]) {
    for (const line of setCookies) {
      const pair = line.split(';', 1)[0]!
      const eq = pair.indexOf('=')
      if (eq > 0) this.cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim())
    }
  }

  cookieHeader() {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ')
  }

  async signIn(credentials: Credentials): Promise<void> {
    const csrf = await this.send('GET', `${this.baseURL}/api/auth/csrf`, {}, undefined)
    this.absorb(csrf.setCookies)
    const { csrfToken } = JSON.parse(csrf.text) as { csrfToken: string }
    const body = new URLSearchParams({ username: credentials.username, password: credentials.password, csrfToken, json: 'true', callbackUrl: '/' }).toString()
    const headers = { 'content-type': 'application/x-www-form-urlencoded', cookie: this.cookieHeader(), origin: this.baseURL }
    const answer = await this.send('POST', `${this.baseURL}/api/auth/callback/credentials`, headers, body)
    this.absorb(answer.setCookies)
    if (answer.status !== 200) throw new Error(`sign-in of ${credentials.username} answered HTTP ${answer.status}`)
    const me = await this.send('GET', `${this.baseURL}/api/me`, { cookie: this.cookieHeader() }, undefined)
    if (me.status !== 200) throw new Error(`sign-in of ${credentials.username} gave no session (/api/me answered HTTP ${me.status}; wrong password or throttled?)`)
  }

  /** Sends one request; records its latency (body read included); throws HttpFailure on a non-2xx answer. */
  async call<T>(op: Operation, method: string, pathname: string, body: unknown, record: (op: Operation, ms: number) => void): Promise<T> {
    const headers: Record<string, string> = { cookie: this.cookieHeader() }
    if (method !== 'GET') Object.assign(headers, { origin: this.baseURL, 'content-type': 'application/json' })
    const started = performance.now()
    let answer: Answer
    try {
      answer = await this.send(method, `${this.baseURL}${pathname}`, headers, body === undefined ? undefined : JSON.stringify(body))
    } catch (error) {
      throw new HttpFailure(op, null, `${method} ${pathname}: ${(error as Error).message}`)
    }
    const elapsed = performance.now() - started
    if (answer.status < 200 || answer.status > 299) throw new HttpFailure(op, answer.status, `${method} ${pathname} → HTTP ${answer.status}: ${answer.text.slice(0, 200)}`)
    record(op, elapsed)
    return JSON.parse(answer.text) as T
  }
}

interface ReadDtoLike {
  id: string
  findings: { id: string; status: string }[]
}

const modelReference = { id: 'lesion-seg-2d', version: '1.0.0', sha256: 'a'.repeat(64) }
// OID arc for the bench's study UIDs (each user has one open read per study: one per iteration).
const uidRoot = '1.2.826.0.1.3680043.9.7433'
let uidRun = Date.now() % 100_000

function studyReference(uid: string) {
  return { studyInstanceUid: uid, studyDescription: 'CT CHEST (bench)', studyDate: '20260101', accessionNumber: 'BENCH', modality: 'CT', source: 'local' as const, sourceRef: null }
}

function proposal(slice: number) {
  return {
    origin: 'ai' as const,
    model: modelReference,
    executionProvider: 'wasm' as const,
    explanationMethod: null,
    findings: [0, 1, 2].map((index) => ({
      label: 'Lung nodule' as const,
      location: {
        kind: 'bbox' as const,
        seriesInstanceUid: '1.2.3',
        sopInstanceUid: `1.2.3.${slice + index}`,
        frameOfReferenceUid: '1.2.3.5',
        sliceIndex: slice + index,
        points: [
          [0, 0, 0],
          [10, 0, 0],
          [10, 10, 0],
          [0, 10, 0],
        ],
      },
      measurementMm: 12.5 + index,
      probability: 0.9 - index * 0.1,
    })),
  }
}

const decisions = [
  { op: 'accept' as const, body: { action: 'accept' } },
  { op: 'modify' as const, body: { action: 'modify', label: 'Mass', measurementMm: 14 } },
  { op: 'reject' as const, body: { action: 'reject', reason: 'false-positive', note: 'bench' } },
]

function newPhase(clients: number, iterations: number): PhaseResult {
  return { clients, iterations, wallMs: 0, latencies: new Map(), errors: [], abandoned: 0 }
}

function recorder(phase: PhaseResult) {
  return (op: Operation, ms: number) => {
    const list = phase.latencies.get(op)
    if (list) list.push(ms)
    else phase.latencies.set(op, [ms])
  }
}

/** One iteration of a reader's work on a new study; returns false when an error cut it short. */
async function readIteration(client: ApiClient, uid: string, slice: number, phase: PhaseResult, steps: 'full' | 'open+propose'): Promise<boolean> {
  const record = recorder(phase)
  try {
    const read = await client.call<ReadDtoLike>('open read', 'POST', '/api/reads', { study: studyReference(uid) }, record)
    const proposed = await client.call<ReadDtoLike>('propose 3 findings', 'POST', `/api/reads/${read.id}/findings`, proposal(slice), record)
    if (steps === 'open+propose') return true
    const pending = proposed.findings.filter((finding) => finding.status === 'proposed')
    if (pending.length !== 3) throw new HttpFailure('propose 3 findings', 201, `expected 3 proposed findings in the answer, found ${pending.length}`)
    for (const [index, decision] of decisions.entries()) {
      await client.call(decision.op, 'PATCH', `/api/reads/${read.id}/findings/${pending[index]!.id}`, decision.body, record)
    }
    const worklist = await client.call<unknown[]>('worklist', 'GET', '/api/worklist', undefined, record)
    if (!Array.isArray(worklist)) throw new HttpFailure('worklist', 200, 'the worklist is not an array')
    return true
  } catch (error) {
    if (!(error instanceof HttpFailure)) throw error
    phase.errors.push({ op: error.op, status: error.status, message: error.message })
    phase.abandoned += 1
    return false
  }
}

async function runPhase(
  clients: ApiClient[],
  iterations: number,
  work: (client: ApiClient, clientIndex: number, iteration: number, phase: PhaseResult) => Promise<unknown>,
): Promise<PhaseResult> {
  const phase = newPhase(clients.length, iterations)
  const started = performance.now()
  await Promise.all(
    clients.map(async (client, clientIndex) => {
      for (let iteration = 0; iteration < iterations; iteration += 1) await work(client, clientIndex, iteration, phase)
    }),
  )
  phase.wallMs = performance.now() - started
  return phase
}

function studyUid(phaseTag: number, clientIndex: number, iteration: number) {
  return `${uidRoot}.${uidRun}.${phaseTag}.${clientIndex}.${iteration}`
}

function readWork(phaseTag: number, steps: 'full' | 'open+propose') {
  return (client: ApiClient, clientIndex: number, iteration: number, phase: PhaseResult) =>
    readIteration(client, studyUid(phaseTag, clientIndex, iteration), (iteration * 3) % 300, phase, steps)
}

/** Six GET /api/health per iteration: as many requests as one iteration of the workload. */
async function healthWork(client: ApiClient, _clientIndex: number, _iteration: number, phase: PhaseResult) {
  const record = recorder(phase)
  for (let request = 0; request < 6; request += 1) {
    try {
      await client.call('health', 'GET', '/api/health', undefined, record)
    } catch (error) {
      if (!(error instanceof HttpFailure)) throw error
      phase.errors.push({ op: error.op, status: error.status, message: error.message })
    }
  }
}

/**
 * The whole measurement against one running server. `prefill` open reads (with 3 proposed
 * findings each) are created first, unmeasured: it warms the server up and brings the
 * worklist to its 500-entry cap, so every measured phase sees the same worklist size.
 */
export async function measureFindingsApi(
  baseURL: string,
  credentials: Credentials,
  options: { clients?: number; iterations?: number; prefill?: number; generator?: Generator } = {},
): Promise<FindingsApiResult> {
  const generator = options.generator ?? 'fetch'
  const clientCount = options.clients ?? 20
  const iterations = options.iterations ?? 30
  const prefill = options.prefill ?? 500
  uidRun += 1

  const clients = Array.from({ length: clientCount }, () => new ApiClient(baseURL, generator))
  // One after the other: an attempt counts as a failure until its password checks out, so
  // more than 5 parallel sign-ins of one account are throttled (429) by design.
  for (const client of clients) await client.signIn(credentials)

  // Does the build have the reads API at all?
  const probe = await sender(generator)('GET', `${baseURL}/api/worklist`, { cookie: clients[0]!.cookieHeader() }, undefined)
  if (probe.status === 404) throw new Error(`GET /api/worklist answered 404: the production build has no reads API; rebuild it (npx next build --webpack)`)
  if (probe.status !== 200) throw new Error(`GET /api/worklist answered HTTP ${probe.status} for a signed-in radiologist`)

  // Prefill/warm-up: open reads with proposals, spread over the clients, unmeasured.
  const prefillPerClient = Math.ceil(prefill / clientCount)
  const warm = prefill > 0 ? await runPhase(clients, prefillPerClient, readWork(0, 'open+propose')) : newPhase(clientCount, 0)
  if (warm.errors.length > 0) throw new Error(`the prefill (warm-up) phase failed: ${warm.errors.length} error(s), first: ${warm.errors[0]!.message}`)

  const sequential = await runPhase(clients.slice(0, 1), iterations, readWork(1, 'full'))
  const concurrent = await runPhase(clients, iterations, readWork(2, 'full'))
  const healthSequential = await runPhase(clients.slice(0, 1), iterations, healthWork)
  const healthConcurrent = await runPhase(clients, iterations, healthWork)

  const worklist = await clients[0]!.call<unknown[]>('worklist', 'GET', '/api/worklist', undefined, () => {})
  return {
    generator,
    clients: clientCount,
    iterations,
    prefill: prefill > 0 ? prefillPerClient * clientCount : 0,
    worklistLength: worklist.length,
    concurrent,
    sequential,
    healthConcurrent,
    healthSequential,
  }
}

export function requestCount(phase: PhaseResult): number {
  let total = 0
  for (const list of phase.latencies.values()) total += list.length
  return total + phase.errors.length
}

export function allLatencies(phase: PhaseResult, ops: readonly Operation[] = operations): number[] {
  return ops.flatMap((op) => phase.latencies.get(op) ?? [])
}

export function p(phase: PhaseResult, op: Operation | 'all', q: number): number {
  return percentile(op === 'all' ? allLatencies(phase) : (phase.latencies.get(op) ?? []), q)
}

export interface Goal {
  goal: string
  seen: string
  met: boolean
}

/** Issue 14's targets for this workload, against what the run measured. */
export function findingsGoals(result: FindingsApiResult): Goal[] {
  const { concurrent, sequential, healthConcurrent } = result
  const rate = requestCount(concurrent) / (concurrent.wallMs / 1000)
  const errors = concurrent.errors.length + sequential.errors.length + healthConcurrent.errors.length + result.healthSequential.errors.length
  const goal = (text: string, value: number, unit: string, met: boolean): Goal => ({ goal: text, seen: `${value.toFixed(unit === 'req/s' ? 0 : 1)} ${unit}`, met })
  return [
    goal(`${result.clients} clients ≥ 300 req/s`, rate, 'req/s', rate >= 300),
    goal(`${result.clients} clients p99 ≤ 150 ms`, p(concurrent, 'all', 99), 'ms', p(concurrent, 'all', 99) <= 150),
    goal('1 client p50 ≤ 5 ms', p(sequential, 'all', 50), 'ms', p(sequential, 'all', 50) <= 5),
    goal(`/api/health at ${result.clients} clients p99 ≤ 25 ms`, p(healthConcurrent, 'health', 99), 'ms', p(healthConcurrent, 'health', 99) <= 25),
    { goal: 'no errors', seen: String(errors), met: errors === 0 },
  ]
}
