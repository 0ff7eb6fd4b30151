import { clientAddress } from '@/lib/auth/client-address'
import { route } from '@/lib/auth/route.server'
import { getDb } from '@/lib/db/client.server'
import { createProject, listProjects } from '@/lib/annotation-projects/projects.server'
import { createProjectBodySchema } from '@/lib/annotation-projects/schema'

/** The projects the user may see: their own and those naming them; all of them for auditors and admins. */
export const GET = route({ roles: ['radiologist', 'researcher', 'auditor', 'admin'] }, async ({ user }) => Response.json(await listProjects(getDb(), user)))

export const POST = route({ roles: ['researcher', 'admin'], body: createProjectBodySchema }, async ({ body, user, request }) =>
  Response.json(await createProject(getDb(), user, clientAddress(request.headers), body), { status: 201 }),
)
