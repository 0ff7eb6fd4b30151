import 'server-only'
import type { Db } from '../db/client.server'
import { checkpointProblem, createCheckpoint, type Checkpoint, type TrailProblem } from './checkpoint'
import type { ChainVerdict } from './chain'
import { auditSigningKey } from './signing-key.server'
import { verifyAuditChain } from './verify.server'

// Checkpoints in the database: created periodically by the server process and on demand,
// each covering the events written since the previous one (at most `maxEvents`, so a
// checkpoint's range always fits in memory when it is verified).

export const MAX_CHECKPOINT_EVENTS = 10_000

function toCheckpoint(row: { fromSeq: number; toSeq: number; rootHash: string; headHash: string; signedAt: Date; keyId: string; signature: string }): Checkpoint {
  return {
    fromSeq: row.fromSeq,
    toSeq: row.toSeq,
    rootHash: row.rootHash,
    headHash: row.headHash,
    signedAt: row.signedAt.toISOString(),
    keyId: row.keyId,
    signature: row.signature,
  }
}

/** Signs checkpoints over every event not yet covered; returns those written (none when up to date). */
export async function createAuditCheckpoints(db: Db, now = new Date()): Promise<Checkpoint[]> {
  const { privateKey } = auditSigningKey()
  const written: Checkpoint[] = []
  for (;;) {
    const last = await db.auditCheckpoint.findFirst({ orderBy: { toSeq: 'desc' } })
    const events = await db.auditEvent.findMany({
      where: { seq: { gt: last?.toSeq ?? 0 } },
      orderBy: { seq: 'asc' },
      take: MAX_CHECKPOINT_EVENTS,
      select: { seq: true, hash: true },
    })
    if (events.length === 0) return written
    const checkpoint = createCheckpoint(events, privateKey, now)
    try {
      const { signedAt, ...rest } = checkpoint
      await db.auditCheckpoint.create({ data: { ...rest, signedAt: new Date(signedAt) } })
    } catch (error) {
      // Another process signed the same range first (fromSeq is unique): theirs stands.
      if ((error as { code?: string }).code === 'P2002') return written
      throw error
    }
    written.push(checkpoint)
    if (events.length < MAX_CHECKPOINT_EVENTS) return written
  }
}

export type AuditTrailVerdict =
  (Extract<ChainVerdict, { ok: true }> & { checkpoints: number }) | { ok: false; count: number; firstBadSeq: number; problem: TrailProblem; message: string }

/** The chain (paged) and then every checkpoint against the events it signed. */
export async function verifyAuditTrail(db: Db): Promise<AuditTrailVerdict> {
  const chain = await verifyAuditChain(db)
  if (!chain.ok) return chain
  const { publicKey } = auditSigningKey()
  const checkpoints = await db.auditCheckpoint.findMany({ orderBy: { fromSeq: 'asc' } })
  for (const row of checkpoints) {
    const range = await db.auditEvent.findMany({ where: { seq: { gte: row.fromSeq, lte: row.toSeq } }, orderBy: { seq: 'asc' }, select: { seq: true, hash: true } })
    const problem = checkpointProblem(toCheckpoint(row), range, chain.headSeq, publicKey)
    if (problem) return { ...problem, count: chain.count }
  }
  return { ...chain, checkpoints: checkpoints.length }
}
