import { clientAddress } from '@/lib/auth/client-address'
import { route } from '@/lib/auth/route.server'
import { getDb } from '@/lib/db/client.server'
import { submitAnnotation } from '@/lib/annotation-projects/tasks.server'
import { submissionBodySchema, taskParamsSchema } from '@/lib/annotation-projects/schema'

// The browser wrote the SEG and stored it to the PACS or downloaded it; the server records
// its UID, SHA-256, where it went and the figures, never the mask.
export const POST = route({ roles: ['radiologist', 'researcher'], params: taskParamsSchema, body: submissionBodySchema }, async ({ params, body, user, request }) =>
  Response.json(await submitAnnotation(getDb(), user, clientAddress(request.headers), params.id, params.taskId, body), { status: 201 }),
)
