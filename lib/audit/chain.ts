import { hash } from 'node:crypto'

// The audit hash chain: hash(n) = sha256(prevHash(n) + canonicalJson(fields of event n)),
// with prevHash(1) = GENESIS_HASH and seq contiguous from 1. Any edit, deletion, insertion
// or reordering of stored events breaks the chain at the first affected seq.

export const GENESIS_HASH = '0'.repeat(64)

/** The stored fields of an event that the hash covers: everything except the hashes. */
export interface ChainedFields {
  seq: number
  occurredAt: Date
  eventType: string
  eventCode: string
  eventTypeCode: string | null
  action: string
  outcome: number
  actorId: string | null
  actorName: string | null
  actorRole: string | null
  sourceIp: string | null
  entities: string
  details: string
}

export interface ChainedEvent extends ChainedFields {
  prevHash: string
  hash: string
}

const json = (value: string | null) => (value === null ? 'null' : JSON.stringify(value))

const finite = (value: number) => {
  if (!Number.isFinite(value)) throw new TypeError('canonicalJson: non-finite number')
  return JSON.stringify(value)
}

/**
 * canonicalJson of the hashed fields, written out in its sorted key order: the same bytes
 * (chain.test.ts compares them) without sorting keys and building entries per event, which
 * was most of a verification's time.
 */
export function canonicalFields(fields: ChainedFields): string {
  return (
    `{"action":${json(fields.action)},"actorId":${json(fields.actorId)},"actorName":${json(fields.actorName)},"actorRole":${json(fields.actorRole)}` +
    `,"details":${json(fields.details)},"entities":${json(fields.entities)},"eventCode":${json(fields.eventCode)},"eventType":${json(fields.eventType)}` +
    `,"eventTypeCode":${json(fields.eventTypeCode)},"occurredAt":${json(fields.occurredAt.toISOString())},"outcome":${finite(fields.outcome)}` +
    `,"seq":${finite(fields.seq)},"sourceIp":${json(fields.sourceIp)}}`
  )
}

export function hashEvent(prevHash: string, fields: ChainedFields): string {
  // One call on one string: prevHash is hex (ASCII), so its UTF-8 bytes followed by the
  // fields' are those of the concatenation; crypto.hash skips a Hash object per event.
  return hash('sha256', prevHash + canonicalFields(fields), 'hex')
}

export type ChainBreak = 'seq-gap' | 'prev-hash-mismatch' | 'hash-mismatch'

export type ChainVerdict = { ok: true; count: number; headSeq: number; headHash: string } | { ok: false; count: number; firstBadSeq: number; problem: ChainBreak; message: string }

/** Verifies events fed in ascending seq order, in as many batches as the caller likes. */
export class ChainVerifier {
  private expectedSeq = 1
  private prevHash = GENESIS_HASH
  private count = 0
  private failure: Extract<ChainVerdict, { ok: false }> | null = null

  /** Returns false once the chain is broken; further events are ignored. */
  push(event: ChainedEvent): boolean {
    if (this.failure) return false
    this.count += 1
    if (event.seq !== this.expectedSeq) {
      return this.fail(this.expectedSeq, 'seq-gap', `expected event ${this.expectedSeq}, found ${event.seq}: events are missing or out of order`)
    }
    if (event.prevHash !== this.prevHash) {
      return this.fail(event.seq, 'prev-hash-mismatch', `event ${event.seq} does not link to the event before it`)
    }
    if (hashEvent(event.prevHash, event) !== event.hash) {
      return this.fail(event.seq, 'hash-mismatch', `event ${event.seq} was altered after it was written`)
    }
    this.prevHash = event.hash
    this.expectedSeq += 1
    return true
  }

  verdict(): ChainVerdict {
    if (this.failure) return this.failure
    return { ok: true, count: this.count, headSeq: this.expectedSeq - 1, headHash: this.prevHash }
  }

  private fail(firstBadSeq: number, problem: ChainBreak, message: string): false {
    this.failure = { ok: false, count: this.count, firstBadSeq, problem, message }
    return false
  }
}
