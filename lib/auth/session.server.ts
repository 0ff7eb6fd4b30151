import 'server-only'
import { randomBytes } from 'node:crypto'
import type { JWT } from 'next-auth/jwt'
import { getDb } from '../db/client.server'
import { isRole } from '../vocabulary/roles'
import { lastSeenDue, sessionPolicyFromEnv, sessionState, type SessionPolicy } from './session-policy'
import type { SessionUser } from './session-user'

/** From PARALLAX_SESSION_MAX_HOURS and PARALLAX_SESSION_IDLE_MINUTES, read once at start. */
export const sessionPolicy = sessionPolicyFromEnv(process.env)

/**
 * Starts a session row for a sign-in and returns its id, which the session token carries.
 * The account's rows past the absolute lifetime go at the same time, so the table holds
 * only sessions that could still be alive.
 */
export async function openSession(userId: string, now = new Date(), policy: SessionPolicy = sessionPolicy): Promise<string> {
  const db = getDb()
  const id = randomBytes(32).toString('base64url')
  await db.userSession.deleteMany({ where: { userId, createdAt: { lt: new Date(now.getTime() - policy.maxAgeMs) } } })
  await db.userSession.create({ data: { id, userId, createdAt: now, lastSeenAt: now } })
  return id
}

/** Signing out: the session's row is revoked, so every copy of its cookie is refused. */
export async function revokeSession(id: string | undefined, now = new Date()): Promise<void> {
  if (!id) return
  await getDb().userSession.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: now } })
}

/**
 * Re-validates a session token against the database: its session must be neither revoked
 * nor past the idle timeout or the absolute lifetime, and the account must still exist, be
 * enabled, hold a known role, and not have had its password reset since sign-in. A valid
 * request counts as activity for the idle timeout.
 */
export async function loadSessionUser(
  token: Pick<JWT, 'uid' | 'sessionVersion' | 'sid'> | null | undefined,
  now = new Date(),
  policy: SessionPolicy = sessionPolicy,
): Promise<SessionUser | null> {
  if (!token?.uid || !token.sid) return null
  const db = getDb()
  const session = await db.userSession.findUnique({ where: { id: token.sid }, include: { user: true } })
  if (!session || session.userId !== token.uid || sessionState(session, now, policy) !== 'active') return null
  const { user } = session
  if (user.disabled || !isRole(user.role) || user.sessionVersion !== token.sessionVersion) return null
  if (lastSeenDue(session, now, policy)) {
    await db.userSession.updateMany({ where: { id: session.id, revokedAt: null }, data: { lastSeenAt: now } })
  }
  return { id: user.id, username: user.username, displayName: user.displayName, role: user.role }
}
