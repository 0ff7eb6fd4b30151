import { clientAddress } from '@/lib/auth/client-address'
import { route } from '@/lib/auth/route.server'
import { getDb } from '@/lib/db/client.server'
import { amendRead } from '@/lib/findings/signing.server'
import { amendBodySchema, readParamsSchema } from '@/lib/findings/schema'

/** A new version of a signed read; the signed original is kept unchanged and linked. */
export const POST = route({ roles: ['radiologist'], params: readParamsSchema, body: amendBodySchema }, async ({ params, body, user, request }) =>
  Response.json(await amendRead(getDb(), user, clientAddress(request.headers), params.id, body.reason), { status: 201 }),
)
