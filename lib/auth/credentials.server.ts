import 'server-only'
import { AsyncLocalStorage } from 'node:async_hooks'
import type { User } from 'next-auth'
import { z } from 'zod'
import { recordAudit } from '../audit/append.server'
import { floodLimits } from '../audit/flood-limits.server'
import { getDb } from '../db/client.server'
import { isRole } from '../vocabulary/roles'
import { clientAddress } from './client-address'
import { dummyPasswordHash, verifyPassword } from './password.server'
import { releaseLoginAttempt, reserveLoginAttempt, type ThrottledVerdict } from './throttle.server'

// The credentials provider's authorize(): the one place a password is checked, so the
// throttle counts exactly the username next-auth authenticates, however the body was
// encoded (form or JSON) and whichever of repeated fields next-auth kept.

export const credentialsSchema = z.object({
  username: z.string().trim().min(1).max(64),
  password: z.string().min(1).max(256),
})

// next-auth answers every refused authorize() with 401. A throttled attempt leaves its
// verdict here for our handler around next-auth (nextauth-handlers.server.ts), which turns
// the answer into 429 with Retry-After.
const signInAttempt = new AsyncLocalStorage<{ throttled?: ThrottledVerdict }>()

/** Runs next-auth's handler; says whether a sign-in inside it was throttled. */
export async function withSignInAttempt(run: () => Promise<Response>): Promise<{ response: Response; throttled?: ThrottledVerdict }> {
  const attempt: { throttled?: ThrottledVerdict } = {}
  const response = await signInAttempt.run(attempt, run)
  return { response, throttled: attempt.throttled }
}

export async function authorizeCredentials(raw: unknown, headers: Record<string, string | string[] | undefined>): Promise<User | null> {
  const parsed = credentialsSchema.safeParse(raw)
  if (!parsed.success) return null
  const { username, password } = parsed.data
  const db = getDb()
  const sourceIp = clientAddress(headers)
  const attempt = await reserveLoginAttempt(db, username, sourceIp)
  if (attempt.throttled) {
    await floodLimits().recordAnonymousAudit(db, { type: 'login-failed', username, reason: 'throttled' }, sourceIp)
    const store = signInAttempt.getStore()
    if (store) store.throttled = attempt
    return null
  }
  const user = await db.user.findUnique({ where: { username: username.toLowerCase() } })
  const valid = await verifyPassword(password, user?.passwordHash ?? (await dummyPasswordHash()))
  if (!user || !valid || user.disabled || !isRole(user.role)) {
    // The reservation stays: it is this failure's record.
    await floodLimits().recordAnonymousAudit(db, { type: 'login-failed', username, reason: user?.disabled && valid ? 'disabled' : 'bad-credentials' }, sourceIp)
    return null
  }
  await releaseLoginAttempt(db, attempt)
  await recordAudit(db, { type: 'login', username: user.username }, { actor: { id: user.id, username: user.username, role: user.role }, sourceIp })
  return { id: user.id, name: user.displayName, role: user.role, sessionVersion: user.sessionVersion }
}

// Derive the stand-in hash now, not on the first unknown username: otherwise that request
// pays for two scrypt runs and its timing stands out.
void dummyPasswordHash()
