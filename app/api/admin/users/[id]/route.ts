import { clientAddress } from '@/lib/auth/client-address'
import { route } from '@/lib/auth/route.server'
import { getDb } from '@/lib/db/client.server'
import { updateUserSchema, userIdParamsSchema } from '@/lib/users/schema'
import { updateUser } from '@/lib/users/users.server'

export const PATCH = route({ roles: ['admin'], params: userIdParamsSchema, body: updateUserSchema }, async ({ params, body, user, request }) =>
  Response.json(await updateUser(getDb(), params.id, body, user, clientAddress(request.headers))),
)
