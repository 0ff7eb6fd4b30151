import { clientAddress } from '@/lib/auth/client-address'
import { verifyPassword } from '@/lib/auth/password.server'
import { route } from '@/lib/auth/route.server'
import { releaseLoginAttempt, reserveLoginAttempt } from '@/lib/auth/throttle.server'
import { getDb } from '@/lib/db/client.server'
import { AppError } from '@/lib/errors'
import { getRead } from '@/lib/findings/reads.server'
import { recordSignRefusal, signRead, signRefusal, signRefusalError } from '@/lib/findings/signing.server'
import { readParamsSchema, signBodySchema } from '@/lib/findings/schema'

// Signing a clinical read (21 CFR 11.200): only radiologists, only their own open read, only
// as it was shown to the signer (the content hash sent back; 409 when it changed since), and
// only after re-entering the password. Wrong passwords count toward the login throttle.
export const POST = route({ roles: ['radiologist'], params: readParamsSchema, body: signBodySchema }, async ({ params, body, user, request }) => {
  const db = getDb()
  const sourceIp = clientAddress(request.headers)
  const read = await getRead(db, user, params.id)
  const refusal = signRefusal(read, user, body.contentHash)
  if (refusal) {
    await recordSignRefusal(db, user, sourceIp, read, refusal)
    throw signRefusalError(refusal)
  }
  const throttle = await reserveLoginAttempt(db, user.username, sourceIp)
  if (throttle.throttled) {
    return new AppError('rate_limited', 'auth', `Too many wrong passwords; try again in ${Math.ceil(throttle.retryAfterSeconds / 60)} min.`).toResponse({
      'Retry-After': String(throttle.retryAfterSeconds),
    })
  }
  const account = await db.user.findUnique({ where: { id: user.id }, select: { passwordHash: true } })
  if (!account || !(await verifyPassword(body.password, account.passwordHash))) {
    await recordSignRefusal(db, user, sourceIp, read, 'bad-password')
    throw new AppError('forbidden', 'findings', 'The password is not correct; the read was not signed.')
  }
  await releaseLoginAttempt(db, throttle)
  return Response.json(await signRead(db, sourceIp, params.id, { meaning: body.meaning, signer: user, shownContentHash: body.contentHash }), { status: 201 })
})
