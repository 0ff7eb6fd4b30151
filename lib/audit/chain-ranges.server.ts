import 'server-only'
import { hash as sha256 } from 'node:crypto'
import { GENESIS_HASH, type ChainStart } from './chain'
import type { ChainReader } from './chain-reader.server'

// One seq range of the chain, verified on its own from the stored hash of the event before
// it (its anchor, read in the same stream), so that several ranges can be read at once,
// each on a connection of its own: PostgreSQL then writes their canonical text on several
// cores. A range proves only its own links; verify.server.ts joins them, each seam held
// (a range's anchor must be the event, and the hash, the range before it ended on), and
// hands anything else to the sequential pass, which names the problem as it always has.

export interface RangeScan {
  /** The event the range hangs from (0: the genesis). */
  anchorSeq: number
  /** Its stored hash as this range read it; null when it was not there. */
  anchorHash: string | null
  /** The last event verified from the anchor on (the anchor itself when none). */
  verified: ChainStart
  /** Events verified after the anchor. */
  count: number
  /** Every event of the range verified: to `last`, or for an open range to the end of what was stored. */
  whole: boolean
  /** The stored hash of each verified event whose seq is in `wanted`. */
  heads: Map<number, string>
}

/** Verifies events (anchorSeq, last] (last null: to the end) by the text the database writes; stops at the first that does not verify that way. */
export async function scanRange(reader: ChainReader, anchorSeq: number, last: number | null, wanted: ReadonlySet<number>): Promise<RangeScan> {
  let anchorHash: string | null = anchorSeq === 0 ? GENESIS_HASH : null
  let seqAt = anchorSeq
  let hashAt = GENESIS_HASH
  let count = 0
  let broken = false
  const heads = new Map<number, string>()
  await reader.scan(anchorSeq === 0 ? 1 : anchorSeq, last, (seq, prevHash, input, hash) => {
    if (broken) return
    if (anchorHash === null) {
      if (seq !== anchorSeq) broken = true
      else hashAt = anchorHash = hash
      return
    }
    // Anything but the next link, whole: the sequential pass takes over here and decides.
    if (seq !== seqAt + 1 || prevHash !== hashAt || input === null || sha256('sha256', input, 'hex') !== hash) {
      broken = true
      return
    }
    seqAt = seq
    hashAt = hash
    count += 1
    if (wanted.has(seq)) heads.set(seq, hash)
  })
  const whole = !broken && anchorHash !== null && (last === null || seqAt === last)
  return { anchorSeq, anchorHash, verified: { seq: seqAt, hash: anchorHash === null ? GENESIS_HASH : hashAt }, count, whole, heads }
}
