import 'server-only'
import type { Db } from '../db/client.server'
import { recordAudit } from './append.server'
import type { AuditActor } from './events'
import { createAuditCheckpoints } from './checkpoints.server'
import type { Checkpoint } from './checkpoint'

/**
 * Checkpoints signed on a user's request (POST /api/audit/checkpoints). The request is
 * recorded first, so the checkpoint it produces covers its own record; a signing that then
 * fails leaves the attempt on record.
 */
export async function signCheckpointsOnRequest(db: Db, actor: AuditActor, sourceIp: string | null): Promise<Checkpoint[]> {
  await recordAudit(db, { type: 'audit-checkpoint-requested' }, { actor, sourceIp })
  return createAuditCheckpoints(db)
}
