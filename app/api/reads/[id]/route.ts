import { clientAddress } from '@/lib/auth/client-address'
import { route } from '@/lib/auth/route.server'
import { getDb } from '@/lib/db/client.server'
import { viewRead } from '@/lib/findings/reads.server'
import { readParamsSchema } from '@/lib/findings/schema'

/** One read the user may see; the view is audited (110111, read). */
export const GET = route({ roles: ['radiologist', 'researcher', 'auditor'], params: readParamsSchema }, async ({ params, user, request }) =>
  Response.json(await viewRead(getDb(), user, clientAddress(request.headers), params.id)),
)
