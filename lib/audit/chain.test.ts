import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { canonicalJson } from './canonical-json'
import { canonicalFields, ChainVerifier, GENESIS_HASH, hashEvent, type ChainedEvent, type ChainedFields } from './chain'

function fieldsFor(seq: number, overrides: Partial<ChainedFields & { occurredAt: Date }> = {}): ChainedFields & { occurredAt: Date } {
  return {
    seq,
    occurredAt: new Date(Date.UTC(2026, 10, 27, 12, 0, seq)),
    eventType: 'login',
    eventCode: '110114',
    eventTypeCode: '110122',
    action: 'E',
    outcome: 0,
    actorId: `user-${seq}`,
    actorName: `user${seq}`,
    actorRole: 'radiologist',
    sourceIp: '192.0.2.1',
    entities: '[]',
    details: `{"username":"user${seq}"}`,
    ...overrides,
  }
}

/** Links events the way appendAudit does. */
function link(prevHash: string, fields: ChainedFields): ChainedEvent {
  return { ...fields, prevHash, hash: hashEvent(prevHash, fields) }
}

function buildChain(length: number): ChainedEvent[] {
  const chain: ChainedEvent[] = []
  for (let seq = 1; seq <= length; seq++) chain.push(link(chain.at(-1)?.hash ?? GENESIS_HASH, fieldsFor(seq)))
  return chain
}

function verify(events: ChainedEvent[]) {
  const verifier = new ChainVerifier()
  for (const event of events) verifier.push(event)
  return verifier.verdict()
}

describe('hashEvent', () => {
  it('is sha256(prevHash + canonical JSON of the fields), keys sorted, date as ISO string', () => {
    const fields = fieldsFor(1)
    // Written out by hand: the stored format must never change silently, or every
    // existing chain would stop verifying.
    const canonical =
      '{"action":"E","actorId":"user-1","actorName":"user1","actorRole":"radiologist",' +
      '"details":"{\\"username\\":\\"user1\\"}","entities":"[]","eventCode":"110114",' +
      '"eventType":"login","eventTypeCode":"110122","occurredAt":"2026-11-27T12:00:01.000Z",' +
      '"outcome":0,"seq":1,"sourceIp":"192.0.2.1"}'
    const expected = createHash('sha256')
      .update(GENESIS_HASH + canonical)
      .digest('hex')
    assert.equal(hashEvent(GENESIS_HASH, fields), expected)
    assert.match(expected, /^[0-9a-f]{64}$/)
  })

  it('writes the same bytes as canonicalJson of the fields, nulls, quotes, control and non-ASCII characters included', () => {
    const base = fieldsFor(7)
    const variants: Partial<ChainedFields & { occurredAt: Date }>[] = [
      {},
      { eventTypeCode: null, actorId: null, actorName: null, actorRole: null, sourceIp: null },
      { actorName: 'Ö\u00e9 "quoted" \\ back\nline\t\u0001 \u2028 😀', details: '{"note":"a\\"b"}' },
      { outcome: 12, seq: 2 ** 31 - 1, occurredAt: new Date(0) },
    ]
    for (const change of variants) {
      const fields = { ...base, ...change }
      const { seq, occurredAt, ...rest } = fields
      assert.equal(canonicalFields(fields), canonicalJson({ ...rest, seq, occurredAt: occurredAt.toISOString() }), JSON.stringify(change))
    }
    assert.throws(() => canonicalFields({ ...base, outcome: Number.NaN }), /non-finite/)
    // The raw reader's form: the instant as the text toISOString writes.
    assert.equal(canonicalFields({ ...base, occurredAt: base.occurredAt.toISOString() }), canonicalFields(base))
  })

  it('ignores hash fields passed along with the event', () => {
    const [event] = buildChain(1)
    assert.equal(hashEvent(GENESIS_HASH, { ...event!, hash: 'x'.repeat(64) } as ChainedFields), event!.hash)
  })

  it('changes when any covered field or the previous hash changes', () => {
    const base = fieldsFor(1)
    const baseHash = hashEvent(GENESIS_HASH, base)
    const variants: Partial<ChainedFields>[] = [
      { seq: 2 },
      { occurredAt: new Date(base.occurredAt.getTime() + 1) },
      { eventType: 'logout' },
      { eventCode: '110113' },
      { eventTypeCode: null },
      { action: 'R' },
      { outcome: 4 },
      { actorId: null },
      { actorName: 'someone-else' },
      { actorRole: 'admin' },
      { sourceIp: null },
      { entities: '[{"id":"x","type":"user"}]' },
      { details: '{"username":"user2"}' },
    ]
    for (const change of variants) {
      assert.notEqual(hashEvent(GENESIS_HASH, { ...base, ...change }), baseHash, `change ${JSON.stringify(change)}`)
    }
    assert.notEqual(hashEvent('f'.repeat(64), base), baseHash)
  })
})

describe('ChainVerifier', () => {
  it('accepts an empty chain as intact, with the genesis hash as head', () => {
    assert.deepEqual(new ChainVerifier().verdict(), { ok: true, count: 0, headSeq: 0, headHash: GENESIS_HASH })
  })

  it('accepts an intact chain and reports its head', () => {
    const chain = buildChain(5)
    assert.deepEqual(verify(chain), { ok: true, count: 5, headSeq: 5, headHash: chain[4]!.hash })
  })

  it('gives the same verdict however the events are split into batches', () => {
    const chain = buildChain(7)
    const verifier = new ChainVerifier()
    for (const batch of [chain.slice(0, 3), chain.slice(3, 4), chain.slice(4)]) {
      for (const event of batch) assert.equal(verifier.push(event), true)
    }
    assert.deepEqual(verifier.verdict(), verify(chain))
  })

  it('names an edited event (hash-mismatch)', () => {
    const chain = buildChain(5)
    chain[2] = { ...chain[2]!, details: '{"username":"mallory"}' }
    const verdict = verify(chain)
    assert.equal(verdict.ok, false)
    assert.ok(!verdict.ok)
    assert.equal(verdict.firstBadSeq, 3)
    assert.equal(verdict.problem, 'hash-mismatch')
    assert.match(verdict.message, /event 3 was altered/)
  })

  it('catches an edit whose hash was recomputed at the next event (prev-hash-mismatch)', () => {
    const chain = buildChain(5)
    chain[1] = link(chain[0]!.hash, fieldsFor(2, { actorRole: 'admin' }))
    const verdict = verify(chain)
    assert.ok(!verdict.ok)
    assert.equal(verdict.firstBadSeq, 3)
    assert.equal(verdict.problem, 'prev-hash-mismatch')
  })

  it('catches a rewritten hash on an otherwise untouched event', () => {
    const chain = buildChain(3)
    chain[1] = { ...chain[1]!, hash: 'a'.repeat(64) }
    const verdict = verify(chain)
    assert.ok(!verdict.ok)
    assert.equal(verdict.firstBadSeq, 2)
    assert.equal(verdict.problem, 'hash-mismatch')
  })

  it('names the first missing seq when a middle event is deleted (seq-gap)', () => {
    const chain = buildChain(5)
    chain.splice(2, 1)
    const verdict = verify(chain)
    assert.ok(!verdict.ok)
    assert.equal(verdict.firstBadSeq, 3)
    assert.equal(verdict.problem, 'seq-gap')
    assert.match(verdict.message, /expected event 3, found 4/)
  })

  it('catches a deletion that renumbers the later events to close the gap', () => {
    const chain = buildChain(5)
    chain.splice(2, 1)
    const renumbered = chain.map((event, index) => ({ ...event, seq: index + 1 }))
    const verdict = verify(renumbered)
    assert.ok(!verdict.ok)
    assert.equal(verdict.firstBadSeq, 3)
    assert.equal(verdict.problem, 'prev-hash-mismatch')
  })

  it('catches reordered events', () => {
    const chain = buildChain(5)
    ;[chain[1], chain[2]] = [chain[2]!, chain[1]!]
    const verdict = verify(chain)
    assert.ok(!verdict.ok)
    assert.equal(verdict.firstBadSeq, 2)
    assert.equal(verdict.problem, 'seq-gap')
  })

  it('catches reordered events whose seqs were swapped back into order', () => {
    const chain = buildChain(5)
    const swapped = [chain[0]!, { ...chain[2]!, seq: 2 }, { ...chain[1]!, seq: 3 }, chain[3]!, chain[4]!]
    const verdict = verify(swapped)
    assert.ok(!verdict.ok)
    assert.equal(verdict.firstBadSeq, 2)
    assert.equal(verdict.problem, 'prev-hash-mismatch')
  })

  it('catches an inserted event even when it links correctly to its predecessor', () => {
    const chain = buildChain(5)
    const forged = link(chain[1]!.hash, fieldsFor(3, { eventType: 'role-changed', details: '{"to":"admin"}' }))
    // Inserted as is: the original event 3 now follows a second event 3.
    const inserted = [...chain.slice(0, 2), forged, ...chain.slice(2)]
    const asIs = verify(inserted)
    assert.ok(!asIs.ok)
    assert.equal(asIs.firstBadSeq, 4)
    assert.equal(asIs.problem, 'seq-gap')
    // Inserted with the later events renumbered: they no longer link.
    const renumbered = inserted.map((event, index) => ({ ...event, seq: index + 1 }))
    const verdict = verify(renumbered)
    assert.ok(!verdict.ok)
    assert.equal(verdict.firstBadSeq, 4)
    assert.equal(verdict.problem, 'prev-hash-mismatch')
  })

  it('requires the first event to link to the genesis hash and to be seq 1', () => {
    const chain = buildChain(2)
    const wrongGenesis = verify([link('1'.repeat(64), fieldsFor(1)), chain[1]!])
    assert.ok(!wrongGenesis.ok)
    assert.equal(wrongGenesis.firstBadSeq, 1)
    assert.equal(wrongGenesis.problem, 'prev-hash-mismatch')

    const startsAtTwo = verify(chain.slice(1))
    assert.ok(!startsAtTwo.ok)
    assert.equal(startsAtTwo.firstBadSeq, 1)
    assert.equal(startsAtTwo.problem, 'seq-gap')
  })

  it('keeps the first failure and ignores events pushed after it', () => {
    const chain = buildChain(6)
    chain[1] = { ...chain[1]!, outcome: 12 }
    chain[4] = { ...chain[4]!, outcome: 12 }
    const verifier = new ChainVerifier()
    assert.equal(verifier.push(chain[0]!), true)
    assert.equal(verifier.push(chain[1]!), false)
    for (const event of chain.slice(2)) assert.equal(verifier.push(event), false)
    const verdict = verifier.verdict()
    assert.ok(!verdict.ok)
    assert.equal(verdict.firstBadSeq, 2)
    assert.equal(verdict.count, 2)
  })

  it('reports a truncated tail as a shorter intact chain whose head differs', () => {
    // Removing the newest events leaves a valid prefix: only a head recorded elsewhere
    // (e.g. a previous verification's headSeq/headHash) reveals it.
    const chain = buildChain(5)
    const full = verify(chain)
    const truncated = verify(chain.slice(0, 3))
    assert.ok(full.ok && truncated.ok)
    assert.equal(truncated.headSeq, 3)
    assert.notEqual(truncated.headHash, full.headHash)
  })

  it('starts after an event vouched for otherwise, checking the link to it', () => {
    const chain = buildChain(5)
    const after = new ChainVerifier({ seq: 2, hash: chain[1]!.hash })
    for (const event of chain.slice(2)) assert.equal(after.push(event), true)
    assert.deepEqual(after.verdict(), { ok: true, count: 3, headSeq: 5, headHash: chain[4]!.hash })
    const wrongHead = new ChainVerifier({ seq: 2, hash: chain[0]!.hash })
    assert.equal(wrongHead.push(chain[2]!), false)
    assert.equal((wrongHead.verdict() as { problem: string }).problem, 'prev-hash-mismatch')
  })
})

describe('ChainVerifier.pushCanonical', () => {
  const rowOf = (event: ChainedEvent, canonical: string | null = canonicalFields(event)) => ({ seq: event.seq, prevHash: event.prevHash, hash: event.hash, canonical })

  it('accepts the canonical text of an intact chain, with the verdict push gives', () => {
    const chain = buildChain(4)
    const verifier = new ChainVerifier()
    for (const event of chain) assert.equal(verifier.pushCanonical(rowOf(event)), true)
    assert.deepEqual(verifier.verdict(), verify(chain))
  })

  it('asks for a recheck, counting nothing, on a text that does not give the hash, a missing text, a gap or a broken link', () => {
    const chain = buildChain(3)
    const verifier = new ChainVerifier()
    assert.equal(verifier.pushCanonical(rowOf(chain[0]!)), true)
    for (const row of [
      rowOf(chain[1]!, canonicalFields({ ...chain[1]!, outcome: 12 })),
      rowOf(chain[1]!, null),
      rowOf(chain[2]!),
      { ...rowOf(chain[1]!), prevHash: 'f'.repeat(64) },
    ]) {
      assert.equal(verifier.pushCanonical(row), 'recheck')
    }
    assert.deepEqual(verifier.verdict(), verify(chain.slice(0, 1)))
    assert.equal(verifier.push(chain[1]!), true)
  })
})
