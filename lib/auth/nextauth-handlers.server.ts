import 'server-only'
import NextAuth from 'next-auth'
import type { NextRequest } from 'next/server'
import { authOptions } from './auth.server'
import { withSignInAttempt } from './credentials.server'
import { requestOrigin } from './route.server'

type NextAuthContext = { params: Promise<{ nextauth: string[] }> }

const nextAuthHandler = NextAuth(authOptions) as (request: NextRequest, context: NextAuthContext) => Promise<Response>

/**
 * next-auth's own handler. The credentials provider throttles sign-ins itself (before any
 * password is checked); a throttled one is answered here with 429 and Retry-After instead
 * of next-auth's 401.
 */
async function post(request: NextRequest, context: NextAuthContext): Promise<Response> {
  const { response, throttled } = await withSignInAttempt(() => nextAuthHandler(request, context))
  if (!throttled) return response
  const message = throttled.scope === 'account' ? 'Too many failed sign-ins for this account. Try again later.' : 'Too many failed sign-ins from this address. Try again later.'
  return Response.json(
    { url: `${requestOrigin(request)}/login?error=TooManyAttempts`, code: 'rate_limited:auth', message },
    { status: 429, headers: { 'Retry-After': String(throttled.retryAfterSeconds) } },
  )
}

export const nextAuthRoute = { GET: nextAuthHandler, POST: post }
