import { signCheckpointsOnRequest } from '@/lib/audit/checkpoint-request.server'
import { clientAddress } from '@/lib/auth/client-address'
import { route } from '@/lib/auth/route.server'
import { getDb } from '@/lib/db/client.server'

// On demand, besides the periodic ones: sign the events written since the last checkpoint.
// Signing adds evidence and changes no record, so auditors may ask for it too; the request
// is audited (110101) and covered by the checkpoint it produces.
export const POST = route({ roles: ['auditor', 'admin'] }, async ({ user, request }) => {
  const written = await signCheckpointsOnRequest(getDb(), user, clientAddress(request.headers))
  return Response.json({ written })
})
