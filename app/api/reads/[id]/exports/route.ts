import { clientAddress } from '@/lib/auth/client-address'
import { route } from '@/lib/auth/route.server'
import { getDb } from '@/lib/db/client.server'
import { recordReadExport } from '@/lib/findings/reads.server'
import { exportBodySchema, readParamsSchema } from '@/lib/findings/schema'

// The browser builds the DICOM SR from the read and the images it holds; the server only
// records that it was exported and where to.
export const POST = route({ roles: ['radiologist', 'auditor'], params: readParamsSchema, body: exportBodySchema }, async ({ params, body, user, request }) => {
  await recordReadExport(getDb(), user, clientAddress(request.headers), params.id, body.destination, body.pacsId)
  return new Response(null, { status: 204 })
})
