import 'server-only'
import { ChainVerifier, type ChainVerdict } from './chain'
import type { Db } from '../db/client.server'

/** Recomputes the whole chain in seq order, in pages, and names the first bad seq. */
export async function verifyAuditChain(db: Db, pageSize = 5000): Promise<ChainVerdict> {
  const verifier = new ChainVerifier()
  let after = 0
  for (;;) {
    const page = await db.auditEvent.findMany({ where: { seq: { gt: after } }, orderBy: { seq: 'asc' }, take: pageSize })
    for (const event of page) {
      if (!verifier.push(event)) return verifier.verdict()
    }
    if (page.length < pageSize) return verifier.verdict()
    after = page[page.length - 1]!.seq
  }
}
