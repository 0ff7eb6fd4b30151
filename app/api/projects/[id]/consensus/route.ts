import { clientAddress } from '@/lib/auth/client-address'
import { route } from '@/lib/auth/route.server'
import { getDb } from '@/lib/db/client.server'
import { recordConsensus } from '@/lib/annotation-projects/agreement-records.server'
import { consensusBodySchema, projectParamsSchema } from '@/lib/annotation-projects/schema'

/** A consensus segmentation made in the browser: its method, inputs and the SEG it was written to. */
export const POST = route({ roles: ['researcher', 'admin'], params: projectParamsSchema, body: consensusBodySchema }, async ({ params, body, user, request }) =>
  Response.json(await recordConsensus(getDb(), user, clientAddress(request.headers), params.id, body), { status: 201 }),
)
