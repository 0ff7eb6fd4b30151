import { clientAddress } from '@/lib/auth/client-address'
import { route } from '@/lib/auth/route.server'
import { getDb } from '@/lib/db/client.server'
import { addAnnotators } from '@/lib/annotation-projects/projects.server'
import { addAnnotatorsBodySchema, projectParamsSchema } from '@/lib/annotation-projects/schema'

/** Researchers, or radiologists the project names, as annotators (a task on every study), or researchers as managers. */
export const POST = route({ roles: ['researcher', 'admin'], params: projectParamsSchema, body: addAnnotatorsBodySchema }, async ({ params, body, user, request }) =>
  Response.json(await addAnnotators(getDb(), user, clientAddress(request.headers), params.id, body), { status: 201 }),
)
