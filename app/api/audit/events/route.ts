import { recordAudit } from '@/lib/audit/append.server'
import { auditPageQuerySchema, listAuditEvents } from '@/lib/audit/queries.server'
import { clientAddress } from '@/lib/auth/client-address'
import { pageRoles } from '@/lib/auth/access'
import { route } from '@/lib/auth/route.server'
import { getDb } from '@/lib/db/client.server'

export const GET = route({ roles: pageRoles.audit, query: auditPageQuerySchema }, async ({ query, user, request }) => {
  const db = getDb()
  const page = await listAuditEvents(db, query)
  await recordAudit(db, { type: 'audit-log-viewed', view: 'events' }, { actor: user, sourceIp: clientAddress(request.headers) })
  return Response.json(page)
})
