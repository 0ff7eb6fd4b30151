import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { generateKeyPairSync, type KeyObject } from 'node:crypto'
import { GENESIS_HASH, hashEvent, type ChainedEvent } from './chain'
import { checkpointSignatureValid, createCheckpoint, type Checkpoint } from './checkpoint'
import { verifyTrail, type TrustRoot } from './trail'
import { publicKeyText, witnessEntry, type WitnessEntry } from './witness'

function chainOf(count: number): ChainedEvent[] {
  const events: ChainedEvent[] = []
  for (let seq = 1; events.length < count; seq++) {
    const fields = {
      seq,
      occurredAt: new Date(Date.UTC(2026, 10, 27, 9, 0, seq)),
      eventType: 'study-opened',
      eventCode: '110103',
      eventTypeCode: null,
      action: 'R',
      outcome: 0,
      actorId: 'u-1',
      actorName: 'reader',
      actorRole: 'radiologist',
      sourceIp: null,
      entities: '[]',
      details: JSON.stringify({ n: seq }),
    }
    const prevHash = events.at(-1)?.hash ?? GENESIS_HASH
    events.push({ ...fields, prevHash, hash: hashEvent(prevHash, fields) })
  }
  return events
}

/** Recomputes every hash: what someone rewriting the table would do. */
function rehash(events: ChainedEvent[]): ChainedEvent[] {
  const out: ChainedEvent[] = []
  for (const event of events) {
    const prevHash = out.at(-1)?.hash ?? GENESIS_HASH
    out.push({ ...event, prevHash, hash: hashEvent(prevHash, event) })
  }
  return out
}

const witnessOf = (checkpoints: readonly Checkpoint[], publicKey: KeyObject): WitnessEntry[] =>
  checkpoints.map((checkpoint, offset) => witnessEntry(offset + 1, checkpoint, publicKey))

function pick(verdict: Awaited<ReturnType<typeof verifyTrail>>) {
  return verdict.ok ? null : { firstBadSeq: verdict.firstBadSeq, problem: verdict.problem, checkpoint: verdict.checkpoint }
}

describe('audit trail with signed checkpoints and a witness', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519')
  const events = chainOf(40)
  const at = (hour: number) => new Date(Date.UTC(2026, 10, 27, hour))
  const ranges = [
    [0, 10],
    [10, 16],
    [16, 30],
    [30, 40],
  ] as const
  const checkpoints = ranges.map(([from, to], index) => createCheckpoint(events.slice(from, to), privateKey, at(10 + index)))
  const witness = witnessOf(checkpoints, publicKey)
  // What an auditor's machine has: the witness and the configured public key, no private key.
  const root: TrustRoot = { witness, configuredKey: publicKey, localKey: null }

  it('verifies an intact trail and its signatures', async () => {
    assert.deepEqual(await verifyTrail(events, checkpoints, root), { ok: true, events: 40, checkpoints: 4, headSeq: 40 })
    assert.ok(checkpoints.every((checkpoint) => checkpointSignatureValid(checkpoint, publicKey)))
  })

  it("pins the key by the witness's first record when none is configured, and verifies with no private key", async () => {
    assert.equal((await verifyTrail(events, checkpoints, { witness, configuredKey: null, localKey: null })).ok, true)
    const other = generateKeyPairSync('ed25519').publicKey
    assert.equal((await verifyTrail(events, checkpoints, { witness, configuredKey: null, localKey: other })).ok, true, 'the witness pins before the local key')
  })

  it('names an edited, a deleted and the first of reordered events', async () => {
    const edited = events.map((event) => (event.seq === 7 ? { ...event, details: '{"n":700}' } : event))
    assert.deepEqual(pick(await verifyTrail(edited, checkpoints, root)), { firstBadSeq: 7, problem: 'hash-mismatch', checkpoint: undefined })
    const deleted = events.filter((event) => event.seq !== 12)
    assert.equal(pick(await verifyTrail(deleted, checkpoints, root))?.firstBadSeq, 12)
    const reordered = [...events.slice(0, 4), events[5]!, events[4]!, ...events.slice(6)]
    assert.deepEqual(pick(await verifyTrail(reordered, checkpoints, root))?.problem, 'seq-gap')
  })

  it('detects a rewrite with recomputed hashes (the chain alone cannot), naming the checkpoint over it', async () => {
    const rewritten = rehash(events.map((event) => (event.seq === 21 ? { ...event, details: '{"n":2100}' } : event)))
    assert.equal((await verifyTrail(rewritten, [], { witness: [], configuredKey: publicKey, localKey: null })).ok, true)
    assert.deepEqual(pick(await verifyTrail(rewritten, checkpoints, root)), { firstBadSeq: 17, problem: 'checkpoint-mismatch', checkpoint: { index: 3, of: 4 } })
  })

  it('detects events truncated after a checkpoint', async () => {
    assert.deepEqual(pick(await verifyTrail(events.slice(0, 33), checkpoints, root)), { firstBadSeq: 34, problem: 'truncated', checkpoint: { index: 4, of: 4 } })
  })

  it('detects a trail truncated with its last checkpoint: the count fell below the witness\'s ("4 of 4")', async () => {
    const verdict = await verifyTrail(events.slice(0, 30), checkpoints.slice(0, 3), root)
    assert.deepEqual(pick(verdict), { firstBadSeq: 31, problem: 'checkpoint-missing', checkpoint: { index: 4, of: 4 } })
    assert.match(verdict.ok ? '' : verdict.message, /^checkpoint 4 of 4 \(events 31–40\) is in the witness but not in the database, which holds 3 checkpoints to the witness's 4/)
  })

  it("detects a checkpoint deleted from the middle, by the witness's number", async () => {
    const remaining = checkpoints.filter((_, index) => index !== 1)
    assert.deepEqual(pick(await verifyTrail(events, remaining, root)), { firstBadSeq: 11, problem: 'checkpoint-missing', checkpoint: { index: 2, of: 4 } })
  })

  it('detects checkpoints re-signed with a new key, whichever key the server now holds', async () => {
    const newKey = generateKeyPairSync('ed25519')
    const resigned = ranges.map(([from, to], index) => createCheckpoint(events.slice(from, to), newKey.privateKey, at(20 + index)))
    const expected = { firstBadSeq: 1, problem: 'bad-signature', checkpoint: { index: 1, of: 4 } }
    assert.deepEqual(pick(await verifyTrail(events, resigned, root)), expected)
    assert.deepEqual(pick(await verifyTrail(events, resigned, { witness, configuredKey: null, localKey: newKey.publicKey })), expected)
  })

  it('detects a checkpoint rewritten and re-signed with the original key', async () => {
    const rewritten = rehash(events.map((event) => (event.seq === 35 ? { ...event, details: '{"n":3500}' } : event)))
    const resigned = [...checkpoints.slice(0, 3), createCheckpoint(rewritten.slice(30, 40), privateKey, at(23))]
    assert.deepEqual(pick(await verifyTrail(rewritten, resigned, root)), { firstBadSeq: 31, problem: 'checkpoint-rewritten', checkpoint: { index: 4, of: 4 } })
  })

  it('demands coverage from seq 1 without a gap', async () => {
    const late = [createCheckpoint(events.slice(1, 10), privateKey, at(10))]
    assert.deepEqual(pick(await verifyTrail(events, late, { ...root, witness: [] })), { firstBadSeq: 1, problem: 'coverage-gap', checkpoint: { index: 1, of: 1 } })
    const gap = [checkpoints[0]!, createCheckpoint(events.slice(12, 16), privateKey, at(11))]
    assert.deepEqual(pick(await verifyTrail(events, gap, { ...root, witness: witness.slice(0, 1) })), { firstBadSeq: 11, problem: 'coverage-gap', checkpoint: { index: 2, of: 2 } })
  })

  it('refuses a checkpoint the witness does not hold', async () => {
    assert.deepEqual(pick(await verifyTrail(events, checkpoints, { ...root, witness: witness.slice(0, 3) })), {
      firstBadSeq: 31,
      problem: 'unwitnessed',
      checkpoint: { index: 4, of: 4 },
    })
  })

  it('refuses a damaged witness: a record missing, unreadable or out of place', async () => {
    const without2 = witness.filter((entry) => entry.index !== 2)
    assert.deepEqual(pick(await verifyTrail(events, checkpoints, { ...root, witness: without2 })), { firstBadSeq: 11, problem: 'witness-damaged', checkpoint: { index: 2, of: 2 } })
    const garbled = witness.map((entry) => (entry.index === 3 ? { ...entry, text: '{"version":1' } : entry))
    assert.equal(pick(await verifyTrail(events, checkpoints, { ...root, witness: garbled }))?.problem, 'witness-damaged')
    const swapped = witness.map((entry) => (entry.index === 1 ? { index: 1, text: witness[1]!.text } : entry))
    assert.equal(pick(await verifyTrail(events, checkpoints, { ...root, witness: swapped }))?.problem, 'witness-damaged')
  })

  it('refuses a witness begun with another key than the configured one, or no key at all', async () => {
    const other = generateKeyPairSync('ed25519')
    const verdict = await verifyTrail(events, checkpoints, { witness, configuredKey: other.publicKey, localKey: null })
    assert.equal(pick(verdict)?.problem, 'key-mismatch')
    assert.deepEqual(pick(await verifyTrail(events, checkpoints, { witness: [], configuredKey: null, localKey: null })), {
      firstBadSeq: 1,
      problem: 'no-public-key',
      checkpoint: undefined,
    })
    assert.notEqual(publicKeyText(other.publicKey), publicKeyText(publicKey))
  })
})
