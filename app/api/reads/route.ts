import { clientAddress } from '@/lib/auth/client-address'
import { route } from '@/lib/auth/route.server'
import { getDb } from '@/lib/db/client.server'
import { openReadFor, readsOfStudy } from '@/lib/findings/reads.server'
import { openReadBodySchema, readsQuerySchema } from '@/lib/findings/schema'

/** Every read of a study the user may see (auditors: all of them). */
export const GET = route({ roles: ['radiologist', 'researcher', 'auditor'], query: readsQuerySchema }, async ({ query, user }) =>
  Response.json(await readsOfStudy(getDb(), user, query.study)),
)

/** The user's open read of a study, created on first use. */
export const POST = route({ roles: ['radiologist', 'researcher'], body: openReadBodySchema }, async ({ body, user, request }) =>
  Response.json(await openReadFor(getDb(), user, clientAddress(request.headers), body.study)),
)
