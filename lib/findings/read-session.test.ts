import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { findingDto, readDto } from '../../tests/support/read-dto'
import type { FindingProposal } from './schema'
import type { ReadDto } from './types'
import { ApiError } from '../http/api-error'
import { ReadSession, type ReadSessionState, type ReadsApi } from './read-session.client'

// The session against a fake reads API whose answers the tests release one at a time, so
// the order of requests and answers is the test's to choose.

const study = readDto('x').study
const userId = 'reader-1'
const proposal: FindingProposal = { model: { id: 'nodule-detector', version: '1.0.0', sha256: 'ab'.repeat(32) }, executionProvider: 'wasm', explanationMethod: null, findings: [] }

interface Call {
  method: keyof ReadsApi
  args: unknown[]
  resolve: (value: unknown) => void
  reject: (error: unknown) => void
}

/** A reads API whose every call waits until the test answers it. */
function fakeApi() {
  const calls: Call[] = []
  const waiters: (() => void)[] = []
  const record =
    (method: keyof ReadsApi) =>
    (...args: unknown[]) =>
      new Promise((resolve, reject) => {
        calls.push({ method, args, resolve, reject })
        waiters.splice(0).forEach((wake) => wake())
      })
  const api = Object.fromEntries(
    (['fetchReadsOfStudy', 'openRead', 'proposeFindings', 'addFinding', 'decideFinding', 'signRead', 'amendRead', 'recordExport'] as const).map((method) => [
      method,
      record(method),
    ]),
  ) as unknown as ReadsApi
  /** The next call not yet answered, once it is made. */
  async function next(method: keyof ReadsApi): Promise<Call> {
    for (;;) {
      const call = calls.shift()
      if (call) {
        assert.equal(call.method, method)
        return call
      }
      await new Promise<void>((wake) => waiters.push(wake))
    }
  }
  return { api, next, pending: () => calls.length }
}

function sessionWith(api: ReadsApi) {
  const session = new ReadSession({ study, userId, api })
  const states: ReadSessionState[] = []
  session.on('state-changed', (state) => states.push(state))
  return { session, states }
}

describe('ReadSession', () => {
  it("loads the study's reads and finds the user's open read among them", async () => {
    const { api, next } = fakeApi()
    const { session } = sessionWith(api)
    const loading = session.load()
    assert.equal(session.loading, true)
    assert.equal(session.load(), loading, 'a load on its way is shared')
    const theirs = readDto('r3', { reader: { id: 'reader-2', name: 'Bo' } })
    const mine = readDto('r2')
    const signed = readDto('r1', { status: 'signed' })
    const call = await next('fetchReadsOfStudy')
    assert.deepEqual(call.args, [study.studyInstanceUid])
    call.resolve([theirs, mine, signed])
    await loading
    assert.deepEqual(session.reads, [theirs, mine, signed])
    assert.equal(session.read, mine)
    assert.equal(session.loading, false)
  })

  it("holds the server's answer to each change, in place, without loading again", async () => {
    const { api, next, pending } = fakeApi()
    const { session } = sessionWith(api)
    const loaded = session.load()
    ;(await next('fetchReadsOfStudy')).resolve([readDto('r2', { findings: [findingDto('f1')] }), readDto('r1', { status: 'signed' })])
    await loaded
    const accepting = session.decide('f1', { action: 'accept' })
    assert.equal(session.busy, true)
    const call = await next('decideFinding')
    assert.deepEqual(call.args, ['r2', 'f1', { action: 'accept' }])
    const answered = readDto('r2', { findings: [findingDto('f1', { status: 'accepted' })] })
    call.resolve(answered)
    assert.equal(await accepting, answered)
    assert.deepEqual(
      session.reads?.map((read) => read.id),
      ['r2', 'r1'],
    )
    assert.equal(session.read, answered)
    assert.equal(session.busy, false)
    assert.equal(pending(), 0, 'no re-fetch')
  })

  it('opens the read before proposing when there is none, and puts a new read first', async () => {
    const { api, next } = fakeApi()
    const { session } = sessionWith(api)
    const loaded = session.load()
    ;(await next('fetchReadsOfStudy')).resolve([readDto('r1', { status: 'signed', reader: { id: 'reader-2', name: 'Bo' } })])
    await loaded
    const proposing = session.propose(proposal)
    const open = await next('openRead')
    assert.deepEqual(open.args, [study])
    open.resolve(readDto('r2'))
    const propose = await next('proposeFindings')
    assert.deepEqual(propose.args, ['r2', proposal])
    const answered = readDto('r2', { findings: [findingDto('f1')] })
    propose.resolve(answered)
    await proposing
    assert.deepEqual(
      session.reads?.map((read) => read.id),
      ['r2', 'r1'],
    )
    assert.equal(session.read, answered)
  })

  it('proposes on the open read it holds without opening again', async () => {
    const { api, next } = fakeApi()
    const { session } = sessionWith(api)
    const loaded = session.load()
    ;(await next('fetchReadsOfStudy')).resolve([readDto('r2')])
    await loaded
    const proposing = session.propose(proposal)
    const call = await next('proposeFindings')
    assert.equal(call.args[0], 'r2')
    call.resolve(readDto('r2'))
    await proposing
  })

  it('sends requests one after another, so a later answer is never overwritten by an earlier one', async () => {
    const { api, next, pending } = fakeApi()
    const { session } = sessionWith(api)
    const loaded = session.load()
    ;(await next('fetchReadsOfStudy')).resolve([readDto('r2', { findings: [findingDto('f1'), findingDto('f2', { ordinal: 2 })] })])
    await loaded
    const first = session.decide('f1', { action: 'accept' })
    const second = session.decide('f2', { action: 'reject', reason: 'artifact', note: null })
    const call = await next('decideFinding')
    assert.equal(call.args[1], 'f1')
    assert.equal(pending(), 0, 'the second waits for the first')
    call.resolve(readDto('r2', { findings: [findingDto('f1', { status: 'accepted' }), findingDto('f2', { ordinal: 2 })] }))
    const later = await next('decideFinding')
    assert.equal(later.args[1], 'f2')
    const final = readDto('r2', { findings: [findingDto('f1', { status: 'accepted' }), findingDto('f2', { ordinal: 2, status: 'rejected' })] })
    later.resolve(final)
    await Promise.all([first, second])
    assert.equal(session.read, final)
  })

  it('after signing holds no open read; an amendment is the new open read and marks its original amended', async () => {
    const { api, next } = fakeApi()
    const { session } = sessionWith(api)
    const loaded = session.load()
    ;(await next('fetchReadsOfStudy')).resolve([readDto('r1')])
    await loaded
    const signing = session.sign('secret', 'approval', 'c0'.repeat(32))
    const sign = await next('signRead')
    assert.deepEqual(sign.args, ['r1', 'secret', 'approval', 'c0'.repeat(32)])
    sign.resolve(readDto('r1', { status: 'signed' }))
    await signing
    assert.equal(session.read, null)
    const amending = session.amend('r1', 'Size corrected.')
    const amend = await next('amendRead')
    assert.deepEqual(amend.args, ['r1', 'Size corrected.'])
    const amendment = readDto('r2', { version: 2, amendsId: 'r1', amendReason: 'Size corrected.' })
    amend.resolve(amendment)
    await amending
    assert.equal(session.read, amendment)
    assert.deepEqual(
      session.reads?.map((read) => [read.id, read.amendedById]),
      [
        ['r2', null],
        ['r1', 'r2'],
      ],
    )
  })

  it('keeps a refusal as its error and rethrows it, and clears it when the next request starts', async () => {
    const { api, next } = fakeApi()
    const { session } = sessionWith(api)
    const failures: Error[] = []
    session.on('request-failed', (error) => failures.push(error))
    const loaded = session.load()
    ;(await next('fetchReadsOfStudy')).resolve([readDto('r1')])
    await loaded
    const refused = new ApiError('forbidden:findings', 403, 'The password is not correct; the read was not signed.')
    const signing = session.sign('wrong', 'approval', 'c0'.repeat(32))
    ;(await next('signRead')).reject(refused)
    await assert.rejects(signing, (error) => error === refused)
    assert.equal(session.error, refused)
    assert.deepEqual(failures, [refused])
    assert.equal(session.busy, false)
    assert.equal(session.read?.status, 'open', 'a refusal changes no read')
    const retry = session.sign('right', 'approval', 'c0'.repeat(32))
    assert.equal(session.error, null)
    ;(await next('signRead')).resolve(readDto('r1', { status: 'signed' }))
    await retry
  })

  it('after a 409 (the read changed since it was shown) holds the reads as the server has them, and keeps the refusal', async () => {
    const { api, next, pending } = fakeApi()
    const { session } = sessionWith(api)
    const loaded = session.load()
    const shown = readDto('r1', { findings: [findingDto('f1', { status: 'accepted' })], contentHash: 'aa'.repeat(32) })
    ;(await next('fetchReadsOfStudy')).resolve([shown])
    await loaded
    const refused = new ApiError('conflict:findings', 409, 'This read changed after it was shown to you, so it was not signed.')
    const signing = session.sign('secret', 'approval', shown.contentHash)
    const sign = await next('signRead')
    assert.equal(sign.args[3], 'aa'.repeat(32), 'the hash of the read on screen')
    sign.reject(refused)
    const current = readDto('r1', { findings: [findingDto('f1', { status: 'rejected', rejectReason: 'false-positive' })], contentHash: 'bb'.repeat(32) })
    const reload = await next('fetchReadsOfStudy')
    assert.deepEqual(reload.args, [study.studyInstanceUid])
    reload.resolve([current])
    await assert.rejects(signing, (error) => error === refused)
    assert.equal(session.read, current, "the server's read replaces the stale one")
    assert.equal(session.error, refused, 'the refusal stays shown')
    assert.equal(pending(), 0)

    // Other refusals (a wrong password, 403) leave the held read alone, without a request.
    const wrong = session.sign('wrong', 'approval', current.contentHash)
    ;(await next('signRead')).reject(new ApiError('forbidden:findings', 403, 'The password is not correct; the read was not signed.'))
    await assert.rejects(wrong)
    assert.equal(pending(), 0)
    assert.equal(session.read, current)
  })

  it('refuses a change to the open read when there is none, without a request', async () => {
    const { api, pending } = fakeApi()
    const { session } = sessionWith(api)
    await assert.rejects(session.decide('f1', { action: 'accept' }), /no open read/)
    assert.equal(pending(), 0)
    assert.match(session.error?.message ?? '', /no open read/)
  })

  it('announces every state and every read the server answered with', async () => {
    const { api, next } = fakeApi()
    const { session, states } = sessionWith(api)
    const applied: ReadDto[] = []
    session.on('read-applied', (read) => applied.push(read))
    const opening = session.open()
    const opened = readDto('r1')
    ;(await next('openRead')).resolve(opened)
    await opening
    assert.deepEqual(applied, [opened])
    assert.equal(states.at(-1), session.state)
    assert.ok(states.some((state) => state.busy) && !session.busy)
    let notified = 0
    const unsubscribe = session.subscribe(() => notified++)
    const recording = session.recordExport('r1', 'download', null)
    ;(await next('recordExport')).resolve(null)
    assert.equal(await recording, null)
    unsubscribe()
    assert.ok(notified > 0)
    assert.deepEqual(applied, [opened], 'an export changes no read')
  })
})
