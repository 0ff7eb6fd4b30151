import { clientAddress } from '@/lib/auth/client-address'
import { route } from '@/lib/auth/route.server'
import { getDb } from '@/lib/db/client.server'
import { createPacsServerSchema } from '@/lib/dicomweb/schema'
import { createPacsServer } from '@/lib/dicomweb/pacs.server'

export const POST = route({ roles: ['admin'], body: createPacsServerSchema }, async ({ body, user, request }) =>
  Response.json(await createPacsServer(getDb(), body, user, clientAddress(request.headers)), { status: 201 }),
)
