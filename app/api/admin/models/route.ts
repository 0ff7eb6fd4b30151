import { z } from 'zod'
import { clientAddress } from '@/lib/auth/client-address'
import { route } from '@/lib/auth/route.server'
import { getDb } from '@/lib/db/client.server'
import { registerModel } from '@/lib/inference/add-model.server'
import { toModelSummary } from '@/lib/inference/model-summary.server'
import { fetchModelBytes } from '@/lib/inference/registry.server'

// An admin adds a model by URL: the server downloads it once (public addresses only, unless
// PARALLAX_MODEL_URL_ALLOW names the host; see lib/security/outbound-fetch.server.ts), checks
// it against the manifest's SHA-256 and tensor names, and serves it from then on.
const body = z.object({ manifest: z.record(z.string(), z.unknown()), url: z.url({ protocol: /^https?$/ }) })

export const POST = route({ roles: ['admin'], body }, async ({ body, user, request }) => {
  const bytes = await fetchModelBytes(body.url)
  const model = await registerModel(getDb(), { manifest: body.manifest, bytes, fetched: true }, user, 'admin-url', clientAddress(request.headers))
  return Response.json(toModelSummary(model), { status: 201 })
})
