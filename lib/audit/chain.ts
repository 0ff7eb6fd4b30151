import { hash } from 'node:crypto'

// The audit hash chain: hash(n) = sha256(prevHash(n) + canonicalJson(fields of event n)),
// with prevHash(1) = GENESIS_HASH and seq contiguous from 1. Any edit, deletion, insertion
// or reordering of stored events breaks the chain at the first affected seq.

export const GENESIS_HASH = '0'.repeat(64)

/** The stored fields of an event that the hash covers: everything except the hashes. */
export interface ChainedFields {
  seq: number
  /** A Date, or the text `toISOString()` gives for one (what the raw chain reader yields). */
  occurredAt: Date | string
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
    `,"eventTypeCode":${json(fields.eventTypeCode)},"occurredAt":${json(typeof fields.occurredAt === 'string' ? fields.occurredAt : fields.occurredAt.toISOString())},"outcome":${finite(fields.outcome)}` +
    `,"seq":${finite(fields.seq)},"sourceIp":${json(fields.sourceIp)}}`
  )
}

/**
 * The hashed fields in canonicalFields' key order, with how each is written: the layout the
 * chain reader has the database write the same text from (chain-reader.server.ts).
 */
export const canonicalLayout = [
  ['action', 'string'],
  ['actorId', 'string'],
  ['actorName', 'string'],
  ['actorRole', 'string'],
  ['details', 'string'],
  ['entities', 'string'],
  ['eventCode', 'string'],
  ['eventType', 'string'],
  ['eventTypeCode', 'string'],
  ['occurredAt', 'instant'],
  ['outcome', 'integer'],
  ['seq', 'integer'],
  ['sourceIp', 'string'],
] as const satisfies readonly (readonly [keyof ChainedFields, 'string' | 'instant' | 'integer'])[]

export function hashEvent(prevHash: string, fields: ChainedFields): string {
  // One call on one string: prevHash is hex (ASCII), so its UTF-8 bytes followed by the
  // fields' are those of the concatenation; crypto.hash skips a Hash object per event.
  return hash('sha256', prevHash + canonicalFields(fields), 'hex')
}

/** An event as the chain reader has the database write it: the canonical text of its fields (null where it could not). */
export interface CanonicalRow {
  seq: number
  prevHash: string
  canonical: string | null
  hash: string
}

export type ChainBreak = 'seq-gap' | 'prev-hash-mismatch' | 'hash-mismatch'

export type ChainVerdict = { ok: true; count: number; headSeq: number; headHash: string } | { ok: false; count: number; firstBadSeq: number; problem: ChainBreak; message: string }

/** Where a verification starts: after event `seq`, whose stored hash is `hash` (0 and GENESIS_HASH: from the start). */
export interface ChainStart {
  seq: number
  hash: string
}

/**
 * Verifies events fed in ascending seq order, in as many batches as the caller likes, from
 * the start of the chain or after an event vouched for otherwise (a signed checkpoint's head).
 */
export class ChainVerifier {
  private expectedSeq: number
  private prevHash: string
  private count = 0
  private failure: Extract<ChainVerdict, { ok: false }> | null = null

  constructor(start: ChainStart = { seq: 0, hash: GENESIS_HASH }) {
    this.expectedSeq = start.seq + 1
    this.prevHash = start.hash
  }

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

  /**
   * The fast path: the event's canonical fields as text the database wrote
   * (canonicalLayout). 'recheck' when that text does not give the stored hash, with nothing
   * counted: then push the event itself, whose own canonicalFields decide.
   */
  pushCanonical(row: CanonicalRow): boolean | 'recheck' {
    if (this.failure) return false
    if (row.seq !== this.expectedSeq || row.prevHash !== this.prevHash || row.canonical === null) return 'recheck'
    if (hash('sha256', row.prevHash + row.canonical, 'hex') !== row.hash) return 'recheck'
    this.count += 1
    this.prevHash = row.hash
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
