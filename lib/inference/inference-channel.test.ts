import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { reluManifest } from '../../tests/support/model-fixtures'
import { InferenceChannel, InferenceRunError, type ConnectWorker } from './inference-channel'
import type { CheckResult, ProgressReply, WorkerReply, WorkerRequest } from './inference-protocol'
import { parseManifest } from './manifest'

// The page's side of the inference worker against fake workers: one worker for every
// request, replies settling the request with their id whatever their order, cancels
// answered at once and enforced by termination only when the worker does not stop.

class FakeWorker {
  readonly posted: { message: WorkerRequest; transfer: Transferable[] }[] = []
  terminated = false
  constructor(readonly events: Parameters<ConnectWorker>[0]) {}
  post(message: WorkerRequest, transfer: Transferable[]) {
    this.posted.push({ message, transfer })
  }
  terminate() {
    this.terminated = true
  }
  reply(message: WorkerReply) {
    this.events.message(message)
  }
  idOf(type: WorkerRequest['type'], nth = 0): number {
    return this.posted.filter((entry) => entry.message.type === type)[nth]!.message.id
  }
}

function fakeWorkers() {
  const workers: FakeWorker[] = []
  const connect: ConnectWorker = (events) => {
    const worker = new FakeWorker(events)
    workers.push(worker)
    return worker
  }
  return { workers, connect }
}

const manifest = parseManifest(reluManifest())
const check = (channel: InferenceChannel) => channel.request((id) => ({ type: 'check', id, manifest, fileUrl: '/api/models/relu-test/file', provider: 'wasm' }))
const checkResult = (id: number, runMs: number): CheckResult => ({
  type: 'check-result',
  id,
  output: new Float32Array([runMs]),
  dims: [1],
  executionProvider: 'wasm',
  description: 'test',
  sessionMs: 1,
  firstRunMs: 2,
  runMs,
})
const cancelled = (id: number): WorkerReply => ({ type: 'error', id, kind: 'cancelled', message: 'Cancelled', executionProvider: null })
const settledWith = async (promise: Promise<unknown>) =>
  promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  )
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('inference channel', () => {
  it('starts one worker, on the first request, for every request after it', async () => {
    const { workers, connect } = fakeWorkers()
    const channel = new InferenceChannel(connect)
    assert.equal(await channel.release(null), 0, 'nothing to release before a worker exists')
    assert.equal(workers.length, 0)
    const first = check(channel)
    const second = check(channel)
    assert.equal(workers.length, 1)
    const worker = workers[0]!
    worker.reply(checkResult(worker.idOf('check', 0), 10))
    worker.reply(checkResult(worker.idOf('check', 1), 20))
    await Promise.all([first.result, second.result])
    check(channel)
    assert.equal(workers.length, 1)
  })

  it('settles each request with the replies that carry its id, in whatever order they come', async () => {
    const { workers, connect } = fakeWorkers()
    const channel = new InferenceChannel(connect)
    const progress: [string, ProgressReply][] = []
    const first = channel.request(
      (id) => ({ type: 'check', id, manifest, fileUrl: '/a', provider: 'wasm' }),
      [],
      (reply) => progress.push(['first', reply]),
    )
    const pixels = new Float32Array(4)
    const second = channel.request(
      (id) => ({ type: 'explain', id, manifest, fileUrl: '/a', provider: 'wasm', image: { pixels, columns: 2, rows: 2 }, method: 'probability' }),
      [pixels.buffer],
      (reply) => progress.push(['second', reply]),
    )
    const worker = workers[0]!
    const [firstId, secondId] = [worker.idOf('check'), worker.idOf('explain')]
    assert.notEqual(firstId, secondId)
    assert.deepEqual(worker.posted[1]!.transfer, [pixels.buffer])

    worker.reply({ type: 'explain-progress', id: secondId, done: 1, total: 4 })
    worker.reply(checkResult(firstId, 10))
    worker.reply({ type: 'error', id: secondId, kind: 'unsupported-operator', message: 'no kernel', executionProvider: 'webgpu' })
    assert.equal((await first.result).runMs, 10)
    const failure = await settledWith(second.result)
    assert.ok('error' in failure && failure.error instanceof InferenceRunError)
    assert.deepEqual([failure.error.kind, failure.error.message, failure.error.executionProvider], ['unsupported-operator', 'no kernel', 'webgpu'])
    assert.deepEqual(progress, [['second', { type: 'explain-progress', id: secondId, done: 1, total: 4 }]])
  })

  it('refuses a reply of the wrong type for the request', async () => {
    const { workers, connect } = fakeWorkers()
    const channel = new InferenceChannel(connect)
    const released = channel.request((id) => ({ type: 'release', id, modelId: null }))
    workers[0]!.reply(checkResult(workers[0]!.idOf('release'), 1))
    const outcome = await settledWith(released.result)
    assert.ok('error' in outcome && outcome.error instanceof InferenceRunError && outcome.error.kind === 'worker')
  })

  it('answers a cancel at once, asks the worker to stop, and keeps the worker when it does', async () => {
    const { workers, connect } = fakeWorkers()
    const channel = new InferenceChannel(connect, 30)
    const progress: ProgressReply[] = []
    const run = channel.request(
      (id) => ({ type: 'check', id, manifest, fileUrl: '/a', provider: 'wasm' }),
      [],
      (reply) => progress.push(reply),
    )
    const worker = workers[0]!
    const id = worker.idOf('check')
    run.cancel()
    const outcome = await settledWith(run.result)
    assert.ok('error' in outcome && outcome.error instanceof InferenceRunError && outcome.error.kind === 'cancelled')
    assert.deepEqual(worker.posted.at(-1)!.message, { type: 'cancel', id })
    worker.reply({ type: 'explain-progress', id, done: 1, total: 2 })
    worker.reply(cancelled(id))
    await pause(60)
    assert.equal(worker.terminated, false)
    assert.deepEqual(progress, [], 'no progress after a cancel')
    check(channel)
    assert.equal(workers.length, 1)
  })

  it('terminates a worker that does not stop in time, fails what waited on it, and starts a fresh one', async () => {
    const { workers, connect } = fakeWorkers()
    const channel = new InferenceChannel(connect, 30)
    const stuck = check(channel)
    const queued = settledWith(check(channel).result)
    stuck.cancel()
    await settledWith(stuck.result)
    await pause(60)
    const old = workers[0]!
    assert.equal(old.terminated, true)
    const outcome = await queued
    assert.ok('error' in outcome && outcome.error instanceof InferenceRunError && outcome.error.kind === 'worker')
    const next = check(channel)
    assert.equal(workers.length, 2)
    old.reply(checkResult(old.idOf('check', 1), 1))
    workers[1]!.reply(checkResult(workers[1]!.idOf('check'), 5))
    assert.equal((await next.result).runMs, 5)
  })

  it('fails every request of a worker that crashed, and replaces it', async () => {
    const { workers, connect } = fakeWorkers()
    const channel = new InferenceChannel(connect)
    const [a, b] = [check(channel), check(channel)]
    workers[0]!.events.crash('script error')
    for (const run of [a, b]) {
      const outcome = await settledWith(run.result)
      assert.ok('error' in outcome && outcome.error instanceof InferenceRunError && outcome.error.kind === 'worker' && /script error/.test(outcome.error.message))
    }
    assert.equal(workers[0]!.terminated, true)
    check(channel)
    assert.equal(workers.length, 2)
  })

  it('retires a worker that ran out of WASM memory once nothing waits on it', async () => {
    const { workers, connect } = fakeWorkers()
    const channel = new InferenceChannel(connect)
    const [big, other] = [check(channel), check(channel)]
    const old = workers[0]!
    old.reply({ type: 'error', id: old.idOf('check', 0), kind: 'out-of-memory', message: 'allocation failed', executionProvider: 'wasm' })
    await settledWith(big.result)
    const fresh = check(channel)
    assert.equal(workers.length, 2, 'new requests go to a fresh worker')
    assert.equal(old.terminated, false, 'the old one finishes what it has')
    old.reply(checkResult(old.idOf('check', 1), 3))
    assert.equal((await other.result).runMs, 3)
    assert.equal(old.terminated, true)
    workers[1]!.reply(checkResult(workers[1]!.idOf('check'), 4))
    assert.equal((await fresh.result).runMs, 4)
  })

  it('keeps the worker after running out of WebGPU memory (its sessions were released there)', async () => {
    const { workers, connect } = fakeWorkers()
    const channel = new InferenceChannel(connect)
    const run = check(channel)
    workers[0]!.reply({ type: 'error', id: workers[0]!.idOf('check'), kind: 'out-of-memory', message: 'GPU buffer', executionProvider: 'webgpu' })
    await settledWith(run.result)
    check(channel)
    assert.deepEqual([workers.length, workers[0]!.terminated], [1, false])
  })

  it('releases sessions through the worker once it exists', async () => {
    const { workers, connect } = fakeWorkers()
    const channel = new InferenceChannel(connect)
    check(channel)
    const released = channel.release('relu-test')
    const worker = workers[0]!
    assert.deepEqual(worker.posted.at(-1)!.message, { type: 'release', id: worker.idOf('release'), modelId: 'relu-test' })
    worker.reply({ type: 'released', id: worker.idOf('release'), sessions: 2 })
    assert.equal(await released, 2)
  })
})
