import { route } from '@/lib/auth/route.server'
import { getDb } from '@/lib/db/client.server'
import { getRead } from '@/lib/findings/reads.server'
import { readParamsSchema } from '@/lib/findings/schema'

export const GET = route({ roles: ['radiologist', 'researcher', 'auditor'], params: readParamsSchema }, async ({ params, user }) =>
  Response.json(await getRead(getDb(), user, params.id)),
)
