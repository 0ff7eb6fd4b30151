import { clientAddress } from '@/lib/auth/client-address'
import { route } from '@/lib/auth/route.server'
import { getDb } from '@/lib/db/client.server'
import { createUserSchema } from '@/lib/users/schema'
import { createUser, listUsers } from '@/lib/users/users.server'

export const GET = route({ roles: ['admin'] }, async () => Response.json(await listUsers(getDb())))

export const POST = route({ roles: ['admin'], body: createUserSchema }, async ({ body, user, request }) =>
  Response.json(await createUser(getDb(), body, user, clientAddress(request.headers)), { status: 201 }),
)
