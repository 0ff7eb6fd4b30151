import { clientAddress } from '@/lib/auth/client-address'
import { route } from '@/lib/auth/route.server'
import { getDb } from '@/lib/db/client.server'
import { getProject, updateProject } from '@/lib/annotation-projects/projects.server'
import { projectParamsSchema, updateProjectBodySchema } from '@/lib/annotation-projects/schema'

/** The dashboard's project: blinded for an annotator until agreement is computed. */
export const GET = route({ roles: ['radiologist', 'researcher', 'auditor', 'admin'], params: projectParamsSchema }, async ({ params, user }) =>
  Response.json(await getProject(getDb(), user, params.id)),
)

export const PATCH = route({ roles: ['researcher', 'admin'], params: projectParamsSchema, body: updateProjectBodySchema }, async ({ params, body, user, request }) =>
  Response.json(await updateProject(getDb(), user, clientAddress(request.headers), params.id, body)),
)
