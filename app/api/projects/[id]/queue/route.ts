import { route } from '@/lib/auth/route.server'
import { getDb } from '@/lib/db/client.server'
import { annotatorQueue } from '@/lib/annotation-projects/tasks.server'
import { projectParamsSchema, queueQuerySchema } from '@/lib/annotation-projects/schema'

/** The user's own tasks in the project (?order=uncertainty: the model's most uncertain studies first). */
export const GET = route({ roles: ['radiologist', 'researcher'], params: projectParamsSchema, query: queueQuerySchema }, async ({ params, query, user }) =>
  Response.json(await annotatorQueue(getDb(), user, params.id, query.order)),
)
