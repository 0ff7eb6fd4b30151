import 'server-only'
import type { JWT } from 'next-auth/jwt'
import { getDb } from '../db/client.server'
import { isRole } from '../vocabulary/roles'
import type { SessionUser } from './session-user'

/**
 * Re-validates a session token against the database: the account must still exist, be
 * enabled, hold a known role, and not have had its password reset since sign-in.
 */
export async function loadSessionUser(token: Pick<JWT, 'uid' | 'sessionVersion'> | null | undefined): Promise<SessionUser | null> {
  if (!token?.uid) return null
  const user = await getDb().user.findUnique({ where: { id: token.uid } })
  if (!user || user.disabled || !isRole(user.role) || user.sessionVersion !== token.sessionVersion) return null
  return { id: user.id, username: user.username, displayName: user.displayName, role: user.role }
}
