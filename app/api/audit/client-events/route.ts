import { recordAudit } from '@/lib/audit/append.server'
import { clientAuditEventSchema, type ClientAuditEvent } from '@/lib/audit/client-events'
import { exhaustiveSwitchError } from '@/lib/errors'
import { hashIdentifier } from '@/lib/audit/identifiers.server'
import { roles } from '@/lib/vocabulary/roles'
import { clientAddress } from '@/lib/auth/client-address'
import { route } from '@/lib/auth/route.server'
import { getDb } from '@/lib/db/client.server'
import type { AuditEventInput } from '@/lib/audit/events'

export const POST = route({ roles, body: clientAuditEventSchema, maxBodyBytes: 64 * 1024 }, async ({ body, user, request }) => {
  const seq = await recordAudit(getDb(), toAuditEvent(body), { actor: user, sourceIp: clientAddress(request.headers) })
  return Response.json({ seq }, { status: 201 })
})

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
    default:
      return exhaustiveSwitchError(body)
  }
}
