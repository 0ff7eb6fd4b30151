import 'server-only'
import { decode, type JWT } from 'next-auth/jwt'
import { cookies, headers } from 'next/headers'
import { forbidden, redirect } from 'next/navigation'
import { cache } from 'react'
import { recordAudit } from '../audit/append.server'
import { getSecrets } from '../config/secrets.server'
import { getDb } from '../db/client.server'
import { authOptions } from './auth.server'
import { clientAddress } from './client-address'
import { loadSessionUser } from './session.server'
import type { Role } from '../vocabulary/roles'
import type { SessionUser } from './session-user'

// next-auth's session cookie (its default name). The token is far below the 4 KB at which
// next-auth splits a cookie into chunks; a chunked one would read as signed out.
const sessionCookieName = `${authOptions.useSecureCookies ? '__Secure-' : ''}next-auth.session-token`

/**
 * The signed-in user, re-validated against the database, or null (once per request).
 * What getServerSession(authOptions) did minus the work it threw away: the session token
 * is decrypted with next-auth's own decode (same secret, same expiry check), then
 * loadSessionUser re-reads its session row and the account, exactly as the session
 * callback does. getServerSession also re-encrypted a refreshed cookie on every call,
 * which a route handler or page cannot send.
 */
export const getCurrentUser = cache(async (): Promise<SessionUser | null> => {
  const token = (await cookies()).get(sessionCookieName)?.value
  if (!token) return null
  let payload: JWT | null
  try {
    payload = await decode({ token, secret: getSecrets().nextAuthSecret })
  } catch {
    // Not a token of ours (another secret, tampered, malformed) or expired: no session,
    // as in next-auth's getToken.
    return null
  }
  return loadSessionUser(payload)
})

export async function auditAccessDenied(user: SessionUser, resource: string, method: string, headerList: Headers) {
  await recordAudit(
    getDb(),
    { type: 'access-denied', resource, method },
    {
      actor: { id: user.id, username: user.username, role: user.role },
      sourceIp: clientAddress(headerList),
    },
  )
}

/**
 * For server-rendered pages: redirects to the login page when signed out, answers 403
 * (and records a security alert) when the role may not see the page.
 */
export async function requirePageUser(pathname: string, allowed: readonly Role[]): Promise<SessionUser> {
  const user = await getCurrentUser()
  if (!user) redirect(`/login?callbackUrl=${encodeURIComponent(pathname)}`)
  if (!allowed.includes(user.role)) {
    await auditAccessDenied(user, pathname, 'GET', await headers())
    forbidden()
  }
  return user
}
