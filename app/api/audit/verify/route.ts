import { recordAudit } from '@/lib/audit/append.server'
import { verifyAuditChain } from '@/lib/audit/verify.server'
import { pageRoles } from '@/lib/auth/access'
import { clientAddress } from '@/lib/auth/client-address'
import { route } from '@/lib/auth/route.server'
import { getDb } from '@/lib/db/client.server'

export const GET = route({ roles: pageRoles.audit }, async ({ user, request }) => {
  const db = getDb()
  const verdict = await verifyAuditChain(db)
  await recordAudit(db, { type: 'audit-log-viewed', view: 'verification' }, { actor: user, sourceIp: clientAddress(request.headers) })
  return Response.json(verdict)
})
