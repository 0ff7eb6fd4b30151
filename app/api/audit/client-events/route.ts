import { recordClientEvent } from '@/lib/audit/client-events.server'
import { clientAuditEventSchema } from '@/lib/audit/client-events'
import { roles } from '@/lib/vocabulary/roles'
import { clientAddress } from '@/lib/auth/client-address'
import { route } from '@/lib/auth/route.server'
import { getDb } from '@/lib/db/client.server'
import { AppError } from '@/lib/errors'

// What the browser saw (studies opened, queries, model runs), reported for the trail; a
// user reporting faster than anyone reads is refused (429) rather than flood it.
export const POST = route({ roles, body: clientAuditEventSchema, maxBodyBytes: 64 * 1024 }, async ({ body, user, request }) => {
  const result = await recordClientEvent(getDb(), user, clientAddress(request.headers), body)
  if (!result.ok) {
    return new AppError('rate_limited', 'audit', `Too many events reported; try again in ${result.retryAfterSeconds} s.`).toResponse({
      'Retry-After': String(result.retryAfterSeconds),
    })
  }
  return Response.json({ seq: result.seq }, { status: 201 })
})
