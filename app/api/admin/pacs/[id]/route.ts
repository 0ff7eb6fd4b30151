import { clientAddress } from '@/lib/auth/client-address'
import { route } from '@/lib/auth/route.server'
import { getDb } from '@/lib/db/client.server'
import { pacsIdParamsSchema, updatePacsServerSchema } from '@/lib/dicomweb/schema'
import { deletePacsServer, updatePacsServer } from '@/lib/dicomweb/pacs.server'

export const PATCH = route({ roles: ['admin'], params: pacsIdParamsSchema, body: updatePacsServerSchema }, async ({ params, body, user, request }) =>
  Response.json(await updatePacsServer(getDb(), params.id, body, user, clientAddress(request.headers))),
)

export const DELETE = route({ roles: ['admin'], params: pacsIdParamsSchema }, async ({ params, user, request }) => {
  await deletePacsServer(getDb(), params.id, user, clientAddress(request.headers))
  return new Response(null, { status: 204 })
})
