import 'server-only'
import { ChainVerifier, type CanonicalRow, type ChainStart, type ChainVerdict } from './chain'
import { openChainReader } from './chain-reader.server'
import { databaseConfigOf, type Db } from '../db/client.server'

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

/** Recomputes the whole chain in seq order, in pages, and names the first bad seq. */
export async function verifyAuditChain(db: Db, pageSize = 5000): Promise<ChainVerdict> {
  return (await readChain(db, { pageSize })).verdict
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
