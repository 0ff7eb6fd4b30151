import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { generateKeyPairSync } from 'node:crypto'
import { GENESIS_HASH, hashEvent, type ChainedEvent } from './chain'
import { checkpointSignatureValid, createCheckpoint, verifyTrail, type Checkpoint } from './checkpoint'
import { merkleRoot } from './merkle'

describe('RFC 6962 Merkle tree hash', () => {
  // The test vectors of RFC 6962's reference implementation (certificate-transparency).
  const leaves = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map((hex) => Buffer.from(hex, 'hex'))
  const roots = [
    'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
    'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
    'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
    'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
    '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
    'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
    '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
  ]
  for (const [n, root] of roots.entries()) {
    it(`matches the reference root for ${n} leaves`, () => assert.equal(merkleRoot(leaves.slice(0, n)), root))
  }
})

function chainOf(count: number, from: ChainedEvent[] = []): ChainedEvent[] {
  const events = [...from]
  for (let seq = events.length + 1; events.length < count; seq++) {
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

/** Recomputes every hash from `from` on: what someone rewriting the table would do. */
function rehash(events: ChainedEvent[]): ChainedEvent[] {
  const out: ChainedEvent[] = []
  for (const event of events) {
    const prevHash = out.at(-1)?.hash ?? GENESIS_HASH
    out.push({ ...event, prevHash, hash: hashEvent(prevHash, event) })
  }
  return out
}

describe('audit trail with signed checkpoints', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519')
  const events = chainOf(20)
  const checkpoints: Checkpoint[] = [
    createCheckpoint(events.slice(0, 10), privateKey, new Date('2026-11-27T10:00:00Z')),
    createCheckpoint(events.slice(10, 16), privateKey, new Date('2026-11-27T11:00:00Z')),
  ]

  it('verifies an intact trail and its signatures', () => {
    assert.deepEqual(verifyTrail(events, checkpoints, publicKey), { ok: true, events: 20, checkpoints: 2, headSeq: 20 })
    assert.ok(checkpoints.every((checkpoint) => checkpointSignatureValid(checkpoint, publicKey)))
  })

  it('detects an edited event and names it', () => {
    const edited = events.map((event) => (event.seq === 7 ? { ...event, details: '{"n":700}' } : event))
    assert.deepEqual(pick(verifyTrail(edited, checkpoints, publicKey)), { firstBadSeq: 7, problem: 'hash-mismatch' })
  })

  it('detects a deleted event and names it', () => {
    assert.deepEqual(
      pick(
        verifyTrail(
          events.filter((event) => event.seq !== 12),
          checkpoints,
          publicKey,
        ),
      ),
      { firstBadSeq: 12, problem: 'seq-gap' },
    )
  })

  it('detects reordered events and names the first', () => {
    const reordered = [...events.slice(0, 4), events[5]!, events[4]!, ...events.slice(6)]
    assert.deepEqual(pick(verifyTrail(reordered, checkpoints, publicKey)), { firstBadSeq: 5, problem: 'seq-gap' })
  })

  it('detects a trail truncated after a checkpoint (the chain alone looks fine)', () => {
    const truncated = events.slice(0, 13)
    assert.deepEqual(pick(verifyTrail(truncated, [], publicKey)), null)
    assert.deepEqual(pick(verifyTrail(truncated, checkpoints, publicKey)), { firstBadSeq: 14, problem: 'truncated' })
  })

  it('detects a rewrite with recomputed hashes, which the chain alone cannot', () => {
    const rewritten = rehash(events.map((event) => (event.seq === 7 ? { ...event, details: '{"n":700}' } : event)))
    assert.deepEqual(pick(verifyTrail(rewritten, [], publicKey)), null)
    assert.deepEqual(pick(verifyTrail(rewritten, checkpoints, publicKey)), { firstBadSeq: 1, problem: 'checkpoint-mismatch' })
  })

  it('refuses a checkpoint signed by another key, or altered after signing', () => {
    const other = generateKeyPairSync('ed25519').privateKey
    const forged = [createCheckpoint(events.slice(0, 10), other, new Date())]
    assert.deepEqual(pick(verifyTrail(events, forged, publicKey)), { firstBadSeq: 1, problem: 'bad-signature' })
    const altered = [{ ...checkpoints[0]!, toSeq: 9 }]
    assert.deepEqual(pick(verifyTrail(events, altered, publicKey)), { firstBadSeq: 1, problem: 'bad-signature' })
  })
})

function pick(verdict: ReturnType<typeof verifyTrail>) {
  return verdict.ok ? null : { firstBadSeq: verdict.firstBadSeq, problem: verdict.problem }
}
