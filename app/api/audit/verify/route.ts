import { recordAudit } from '@/lib/audit/append.server'
import { verifyAuditTrail } from '@/lib/audit/checkpoints.server'
import { pageRoles } from '@/lib/auth/access'
import { clientAddress } from '@/lib/auth/client-address'
import { route } from '@/lib/auth/route.server'
import { getDb } from '@/lib/db/client.server'

export const GET = route({ roles: pageRoles.audit }, async ({ user, request }) => {
  const db = getDb()
  const verdict = await verifyAuditTrail(db)
  await recordAudit(db, { type: 'audit-log-viewed', view: 'verification' }, { actor: user, sourceIp: clientAddress(request.headers) })
  return Response.json(verdict)
})
