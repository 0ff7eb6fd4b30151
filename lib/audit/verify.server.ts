import 'server-only'
import { ChainVerifier, GENESIS_HASH, type CanonicalRow, type ChainStart, type ChainVerdict } from './chain'
import { openChainReader, type ChainReader } from './chain-reader.server'
import { scanRange } from './chain-ranges.server'
import { databaseConfigOf, type Db } from '../db/client.server'
import type { DatabaseConfig } from '../db/config'

export interface ChainPass {
  verdict: ChainVerdict
  /** The stored hash of each seq asked for in `heads` that was read before the verdict. */
  heads: Map<number, string>
  /** Events whose database-written text did not give their hash, recomputed from their columns (none on an intact trail). */
  rechecked: number
}

/**
 * Reads the chain after `start` (default: all of it) in keyset pages through the driver,
 * verifies every link, and keeps the hashes of the `heads` seqs (ascending: the
 * checkpoints' last events) from the same rows.
 */
export async function readChain(db: Db, options: { start?: ChainStart; heads?: readonly number[]; pageSize?: number } = {}): Promise<ChainPass> {
  const { start, heads: wanted = [], pageSize = 5000 } = options
  const verifier = new ChainVerifier(start)
  const heads = new Map<number, string>()
  let rechecked = 0
  const reader = await openChainReader(databaseConfigOf(db))
  const pass = () => ({ verdict: verifier.verdict(), heads, rechecked })
  let pending: Promise<CanonicalRow[]> | null = reader.page(start?.seq ?? 0, pageSize)
  try {
    let next = 0
    while (pending) {
      const page: CanonicalRow[] = await pending
      // The next page is asked for before this one is checked: PostgreSQL writes it meanwhile.
      pending = page.length < pageSize ? null : reader.page(page[page.length - 1]!.seq, pageSize)
      for (const row of page) {
        const fast = verifier.pushCanonical(row)
        if (fast === 'recheck') {
          rechecked += 1
          const event = await reader.event(row.seq)
          if (!event) {
            // Read a moment ago and gone now: the append-only trail lost an event under the verifier.
            const message = `event ${row.seq} was removed while the trail was verified`
            return { verdict: { ok: false, count: verifier.verdict().count + 1, firstBadSeq: row.seq, problem: 'seq-gap', message }, heads, rechecked }
          }
          if (!verifier.push(event)) return pass()
        } else if (!fast) return pass()
        while (next < wanted.length && wanted[next]! < row.seq) next += 1
        if (wanted[next] === row.seq) heads.set(row.seq, row.hash)
      }
    }
    return pass()
  } finally {
    // A page still on its way is let finish (its rows unused) before the connection closes.
    await pending?.catch(() => undefined)
    await reader.close()
  }
}

export interface RangeOptions {
  /** The most ranges read at once (default 4 on PostgreSQL; 1 on SQLite, which reads them on this one thread either way). */
  ranges?: number
  /** The fewest events a range is given: below it, fewer ranges. */
  minRangeEvents?: number
}

/** Where each range starts on a chain of `max` events: range i is (anchors[i], anchors[i + 1]], the last one open, for events written meanwhile. */
export function rangeAnchors(max: number, ranges: number, minRangeEvents: number): number[] {
  const count = Math.max(1, Math.min(ranges, Math.floor(max / minRangeEvents)))
  return Array.from({ length: count }, (_, index) => Math.round((max * index) / count))
}

/** The ranges readWholeChain reads on `provider` unless told otherwise. */
export const defaultRanges = (provider: DatabaseConfig['provider']) => ({ ranges: provider === 'postgresql' ? 4 : 1, minRangeEvents: 25_000 })

/**
 * readChain over the whole chain, with the same verdict and heads, read as seq ranges at
 * once (chain-ranges.server.ts): each range from the stored hash before it, joined only
 * where every seam holds. From the first range that does not verify whole, or a seam that
 * does not hold, readChain goes on sequentially from the last event verified and decides.
 */
export async function readWholeChain(db: Db, options: { heads?: readonly number[] } & RangeOptions = {}): Promise<ChainPass> {
  const config = databaseConfigOf(db)
  const { heads: wanted = [], ranges, minRangeEvents } = { ...defaultRanges(config.provider), ...options }
  const readers: ChainReader[] = [await openChainReader(config)]
  try {
    const max = await readers[0]!.maxSeq()
    const anchors = rangeAnchors(max, ranges, minRangeEvents)
    const count = anchors.length
    while (readers.length < count) readers.push(await openChainReader(config))
    const wantedSet = new Set(wanted)
    const scans = await Promise.all(readers.map((reader, index) => scanRange(reader, anchors[index]!, index === count - 1 ? null : anchors[index + 1]!, wantedSet)))
    let position: ChainStart = { seq: 0, hash: GENESIS_HASH }
    let counted = 0
    const heads = new Map<number, string>()
    for (const [index, scan] of scans.entries()) {
      if (scan.anchorSeq !== position.seq || scan.anchorHash !== position.hash) break
      counted += scan.count
      position = scan.verified
      for (const [seq, hash] of scan.heads) heads.set(seq, hash)
      if (!scan.whole) break
      if (index === count - 1) return { verdict: { ok: true, count: counted, headSeq: position.seq, headHash: position.hash }, heads, rechecked: 0 }
    }
    const from = position
    const rest = await readChain(db, { start: from, heads: wanted.filter((seq) => seq > from.seq) })
    for (const [seq, hash] of rest.heads) heads.set(seq, hash)
    return { verdict: { ...rest.verdict, count: rest.verdict.count + counted }, heads, rechecked: rest.rechecked }
  } finally {
    await Promise.all(readers.map((reader) => reader.close()))
  }
}

/** Recomputes the whole chain in seq order and names the first bad seq. */
export async function verifyAuditChain(db: Db, options: RangeOptions = {}): Promise<ChainVerdict> {
  return (await readWholeChain(db, options)).verdict
}

/** The stored hash of each of `seqs` that exists (the quick check's checkpoint heads). */
export async function storedHashes(db: Db, seqs: readonly number[]): Promise<Map<number, string>> {
  const reader = await openChainReader(databaseConfigOf(db))
  try {
    return await reader.hashesAt(seqs)
  } finally {
    await reader.close()
  }
}
