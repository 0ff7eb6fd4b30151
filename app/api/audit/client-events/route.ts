import { recordAudit } from '@/lib/audit/append.server'
import { clientAuditEventSchema } from '@/lib/audit/client-events'
import { hashIdentifier } from '@/lib/audit/identifiers.server'
import { roles } from '@/lib/auth/roles'
import { clientAddress } from '@/lib/auth/client-address'
import { route } from '@/lib/auth/route.server'
import { getDb } from '@/lib/db/client.server'
import type { AuditEventInput } from '@/lib/audit/events'

export const POST = route({ roles, body: clientAuditEventSchema, maxBodyBytes: 64 * 1024 }, async ({ body, user, request }) => {
  const event: AuditEventInput =
    body.type === 'study-opened'
      ? {
          type: 'study-opened',
          source: body.source,
          studyUidHash: hashIdentifier(body.studyInstanceUid),
          seriesUidHashes: body.seriesInstanceUids.map(hashIdentifier),
          instanceCount: body.instanceCount,
        }
      : { type: 'study-query', source: 'dicomweb', pacsId: body.pacsId, filterKeys: body.filterKeys, resultCount: body.resultCount }
  const seq = await recordAudit(getDb(), event, { actor: user, sourceIp: clientAddress(request.headers) })
  return Response.json({ seq }, { status: 201 })
})
