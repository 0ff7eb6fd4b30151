import 'server-only'
import NextAuth from 'next-auth'
import type { NextRequest } from 'next/server'
import { floodLimits } from '../audit/flood-limits.server'
import { getDb } from '../db/client.server'
import { authOptions } from './auth.server'
import { clientAddress } from './client-address'
import { requestOrigin } from './route.server'
import { checkLoginThrottle } from './throttle.server'

type NextAuthContext = { params: Promise<{ nextauth: string[] }> }

const nextAuthHandler = NextAuth(authOptions) as (request: NextRequest, context: NextAuthContext) => Promise<Response>

/**
 * next-auth's own handler, with login throttling in front of the credentials callback:
 * a locked account or address gets 429 before any password is checked.
 */
async function post(request: NextRequest, context: NextAuthContext): Promise<Response> {
  const { nextauth } = await context.params
  if (nextauth[0] === 'callback' && nextauth[1] === 'credentials') {
    const form = await request
      .clone()
      .formData()
      .catch(() => null)
    const username = String(form?.get('username') ?? '').slice(0, 64)
    const address = clientAddress(request.headers)
    const db = getDb()
    const verdict = await checkLoginThrottle(db, username, address)
    if (verdict.throttled) {
      await floodLimits().recordAnonymousAudit(db, { type: 'login-failed', username, reason: 'throttled' }, address)
      const message = verdict.scope === 'account' ? 'Too many failed sign-ins for this account. Try again later.' : 'Too many failed sign-ins from this address. Try again later.'
      return Response.json(
        { url: `${requestOrigin(request)}/login?error=TooManyAttempts`, code: 'rate_limited:auth', message },
        { status: 429, headers: { 'Retry-After': String(verdict.retryAfterSeconds) } },
      )
    }
  }
  return nextAuthHandler(request, context)
}

export const nextAuthRoute = { GET: nextAuthHandler, POST: post }
