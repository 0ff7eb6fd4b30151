import { clientAddress } from '@/lib/auth/client-address'
import { route } from '@/lib/auth/route.server'
import { getDb } from '@/lib/db/client.server'
import { openTask } from '@/lib/annotation-projects/tasks.server'
import { taskParamsSchema } from '@/lib/annotation-projects/schema'

/** Opening a study to annotate: audited (110103) before the viewer learns where it is. */
export const POST = route({ roles: ['radiologist', 'researcher'], params: taskParamsSchema }, async ({ params, user, request }) =>
  Response.json(await openTask(getDb(), user, clientAddress(request.headers), params.id, params.taskId)),
)
