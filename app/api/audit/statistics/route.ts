import { recordAudit } from '@/lib/audit/append.server'
import { clientAddress } from '@/lib/auth/client-address'
import { route } from '@/lib/auth/route.server'
import { getDb } from '@/lib/db/client.server'
import { readerAgreementReport } from '@/lib/findings/agreement.server'

// Reader agreement names studies and readers' notes: auditors only (admins see the trail, not clinical content).
export const GET = route({ roles: ['auditor'] }, async ({ user, request }) => {
  const db = getDb()
  const report = await readerAgreementReport(db)
  await recordAudit(db, { type: 'audit-log-viewed', view: 'statistics' }, { actor: user, sourceIp: clientAddress(request.headers) })
  return Response.json(report)
})
