import 'server-only'
import { ChainVerifier, type ChainedEvent, type ChainVerdict } from './chain'
import type { Db } from '../db/client.server'

/**
 * One keyset page of whole events in seq order, as raw SQL: the same columns the model
 * maps (DateTime as Date on both databases), without the query engine's per-row mapping,
 * which cost more than hashing them.
 */
const eventPage = (db: Db, after: number, pageSize: number) =>
  db.$queryRaw<
    ChainedEvent[]
  >`SELECT "seq", "occurredAt", "eventType", "eventCode", "eventTypeCode", "action", "outcome", "actorId", "actorName", "actorRole", "sourceIp", "entities", "details", "prevHash", "hash" FROM "AuditEvent" WHERE "seq" > ${after} ORDER BY "seq" ASC LIMIT ${pageSize}`

/** Recomputes the whole chain in seq order, in pages, and names the first bad seq. */
export async function verifyAuditChain(db: Db, pageSize = 5000): Promise<ChainVerdict> {
  const verifier = new ChainVerifier()
  let after = 0
  for (;;) {
    const page = await eventPage(db, after, pageSize)
    for (const event of page) {
      if (!verifier.push(event)) return verifier.verdict()
    }
    if (page.length < pageSize) return verifier.verdict()
    after = page[page.length - 1]!.seq
  }
}
