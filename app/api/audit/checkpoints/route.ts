import { createAuditCheckpoints } from '@/lib/audit/checkpoints.server'
import { route } from '@/lib/auth/route.server'
import { getDb } from '@/lib/db/client.server'

// On demand, besides the periodic ones: sign the events written since the last checkpoint.
// Signing adds evidence and changes no record, so auditors may ask for it too.
export const POST = route({ roles: ['auditor', 'admin'] }, async () => {
  const written = await createAuditCheckpoints(getDb())
  return Response.json({ written })
})
