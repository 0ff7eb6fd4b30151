import 'server-only'
import type { Db } from '../db/client.server'
import { exhaustiveSwitchError } from '../errors'
import { recordAudit } from './append.server'
import type { ClientAuditEvent } from './client-events'
import type { AuditActor, AuditEventInput } from './events'
import { floodLimits, type FloodLimits } from './flood-limits.server'
import { hashIdentifier } from './identifiers.server'

// An event the browser reports (POST /api/audit/client-events): its identifiers salted and
// hashed, written under the user's flood limit.

function toAuditEvent(body: ClientAuditEvent): AuditEventInput {
  switch (body.type) {
    case 'study-opened':
      return {
        type: 'study-opened',
        source: body.source,
        studyUidHash: hashIdentifier(body.studyInstanceUid),
        seriesUidHashes: body.seriesInstanceUids.map(hashIdentifier),
        instanceCount: body.instanceCount,
      }
    case 'study-query':
      return { type: 'study-query', source: 'dicomweb', pacsId: body.pacsId, filterKeys: body.filterKeys, resultCount: body.resultCount }
    case 'inference-run': {
      const { seriesInstanceUid, ...run } = body
      return { ...run, seriesUidHash: hashIdentifier(seriesInstanceUid) }
    }
    case 'seg-exported': {
      const { studyInstanceUid, seriesInstanceUid, ...exported } = body
      return { ...exported, studyUidHash: hashIdentifier(studyInstanceUid), seriesUidHash: hashIdentifier(seriesInstanceUid) }
    }
    default:
      return exhaustiveSwitchError(body)
  }
}

/** Records a reported event, or refuses it (the user is over the limit; retry after the seconds given). */
export async function recordClientEvent(
  db: Db,
  actor: AuditActor,
  sourceIp: string | null,
  body: ClientAuditEvent,
  limits: FloodLimits = floodLimits(),
): Promise<{ ok: true; seq: number } | { ok: false; retryAfterSeconds: number }> {
  const admitted = await limits.admitClientEvent(db, actor, sourceIp, body.type)
  if (!admitted.ok) return admitted
  return { ok: true, seq: await recordAudit(db, toAuditEvent(body), { actor, sourceIp }) }
}
