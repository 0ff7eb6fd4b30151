import { clientAddress } from '@/lib/auth/client-address'
import { route } from '@/lib/auth/route.server'
import { getDb } from '@/lib/db/client.server'
import { decideFinding } from '@/lib/findings/finding-changes.server'
import { decisionBodySchema, findingParamsSchema } from '@/lib/findings/schema'

/** Accept, modify or reject a finding. */
export const PATCH = route({ roles: ['radiologist', 'researcher'], params: findingParamsSchema, body: decisionBodySchema }, async ({ params, body, user, request }) =>
  Response.json(await decideFinding(getDb(), user, clientAddress(request.headers), params.id, params.findingId, body)),
)
