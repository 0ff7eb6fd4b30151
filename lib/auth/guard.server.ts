import 'server-only'
import { getServerSession } from 'next-auth'
import { headers } from 'next/headers'
import { forbidden, redirect } from 'next/navigation'
import { cache } from 'react'
import { recordAudit } from '../audit/append.server'
import { getDb } from '../db/client.server'
import { authOptions } from './auth.server'
import { clientAddress } from './client-address'
import type { Role } from '../vocabulary/roles'
import type { SessionUser } from './session-user'

/** The signed-in user, re-validated against the database, or null (once per request). */
export const getCurrentUser = cache(async (): Promise<SessionUser | null> => {
  const session = await getServerSession(authOptions)
  return session?.account ?? null
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
