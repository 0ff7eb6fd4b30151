import { clientAddress } from '@/lib/auth/client-address'
import { route } from '@/lib/auth/route.server'
import { getDb } from '@/lib/db/client.server'
import { openReadFor, viewReadsOfStudy } from '@/lib/findings/reads.server'
import { openReadBodySchema, readsQuerySchema } from '@/lib/findings/schema'

/** Every read of a study the user may see (auditors: all of them); the view is audited (110111, read). */
export const GET = route({ roles: ['radiologist', 'researcher', 'auditor'], query: readsQuerySchema }, async ({ query, user, request }) =>
  Response.json(await viewReadsOfStudy(getDb(), user, clientAddress(request.headers), query.study)),
)

/** The user's open read of a study, created on first use. */
export const POST = route({ roles: ['radiologist', 'researcher'], body: openReadBodySchema }, async ({ body, user, request }) =>
  Response.json(await openReadFor(getDb(), user, clientAddress(request.headers), body.study)),
)
