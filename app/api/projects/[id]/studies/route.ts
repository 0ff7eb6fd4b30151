import { clientAddress } from '@/lib/auth/client-address'
import { route } from '@/lib/auth/route.server'
import { getDb } from '@/lib/db/client.server'
import { addStudies } from '@/lib/annotation-projects/projects.server'
import { addStudiesBodySchema, projectParamsSchema } from '@/lib/annotation-projects/schema'

/** Studies by UID or from a PACS query's result; each annotator gets a task on each new one. */
export const POST = route({ roles: ['researcher', 'admin'], params: projectParamsSchema, body: addStudiesBodySchema }, async ({ params, body, user, request }) =>
  Response.json(await addStudies(getDb(), user, clientAddress(request.headers), params.id, body), { status: 201 }),
)
