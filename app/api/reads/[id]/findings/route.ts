import { clientAddress } from '@/lib/auth/client-address'
import { route } from '@/lib/auth/route.server'
import { getDb } from '@/lib/db/client.server'
import { addReaderFinding, proposeFindings } from '@/lib/findings/finding-changes.server'
import { addFindingsBodySchema, readParamsSchema } from '@/lib/findings/schema'

/** AI findings from one run in the reader's browser, or one finding the reader adds. */
export const POST = route({ roles: ['radiologist', 'researcher'], params: readParamsSchema, body: addFindingsBodySchema }, async ({ params, body, user, request }) => {
  const sourceIp = clientAddress(request.headers)
  const read = body.origin === 'ai' ? await proposeFindings(getDb(), user, sourceIp, params.id, body) : await addReaderFinding(getDb(), user, sourceIp, params.id, body)
  return Response.json(read, { status: 201 })
})
