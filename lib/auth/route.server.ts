import 'server-only'
import type { NextRequest } from 'next/server'
import { z } from 'zod'
import { AppError, type ErrorIssue } from '../errors'
import { readCappedBytes } from '../security/capped-body'
import { auditAccessDenied, getCurrentUser } from './guard.server'
import type { Role } from '../vocabulary/roles'
import type { SessionUser } from './session-user'

// The one guard for route handlers: same-origin check for state changes, session (401),
// role (403, audited), then params, query and body through zod (400 with the issues).
// App errors map to their status; anything else is logged and answered with a generic 500.

export const defaultMaxBodyBytes = 64 * 1024

type Schema = z.ZodType | undefined
type Parsed<S extends Schema> = S extends z.ZodType ? z.output<S> : undefined

export interface RouteSpec<B extends Schema, Q extends Schema, P extends Schema> {
  roles: readonly Role[]
  body?: B
  query?: Q
  params?: P
  maxBodyBytes?: number
}

export interface RouteContext<B, Q, P> {
  request: NextRequest
  user: SessionUser
  body: B
  query: Q
  params: P
}

type NextRouteContext = { params: Promise<Record<string, string | string[]>> }

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS'])

/** The origin the browser used to reach us, as reported by Next (or the reverse proxy). */
export function requestOrigin(request: Request): string {
  const url = new URL(request.url)
  const proto = request.headers.get('x-forwarded-proto')?.split(',')[0]?.trim() || url.protocol.replace(':', '')
  const host = request.headers.get('x-forwarded-host')?.split(',')[0]?.trim() || request.headers.get('host') || url.host
  return `${proto}://${host}`
}

export function assertSameOrigin(request: Request): void {
  if (safeMethods.has(request.method)) return
  const origin = request.headers.get('origin')
  if (!origin || origin !== requestOrigin(request)) {
    throw new AppError('forbidden', 'api', 'Cross-origin or origin-less state-changing requests are refused.')
  }
}

export async function readCappedText(request: Request, maxBytes: number): Promise<string> {
  const tooLarge = () => new AppError('payload_too_large', 'api', `Request body exceeds the limit of ${maxBytes} bytes.`)
  const declared = Number(request.headers.get('content-length') ?? '0')
  if (declared > maxBytes) throw tooLarge()
  if (!request.body) return ''
  return new TextDecoder().decode(await readCappedBytes(request.body, maxBytes, tooLarge))
}

function parseWith<S extends Schema>(schema: S, value: unknown, what: string): Parsed<S> {
  if (!schema) return undefined as Parsed<S>
  const result = schema.safeParse(value)
  if (!result.success) {
    const issues = result.error.issues.map((issue): ErrorIssue => ({ path: issue.path.join('.'), message: issue.message }))
    const summary = issues.map((issue) => (issue.path ? `${issue.path}: ${issue.message}` : issue.message)).join('; ')
    throw new AppError('bad_request', 'api', `Invalid ${what}: ${summary}`, issues)
  }
  return result.data as Parsed<S>
}

export function route<B extends Schema = undefined, Q extends Schema = undefined, P extends Schema = undefined>(
  spec: RouteSpec<B, Q, P>,
  handler: (context: RouteContext<Parsed<B>, Parsed<Q>, Parsed<P>>) => Promise<Response> | Response,
) {
  return async (request: NextRequest, context: NextRouteContext): Promise<Response> => {
    try {
      assertSameOrigin(request)
      const user = await getCurrentUser()
      if (!user) throw new AppError('unauthorized', 'auth', 'Sign in to continue.')
      if (!spec.roles.includes(user.role)) {
        await auditAccessDenied(user, request.nextUrl.pathname, request.method, request.headers)
        throw new AppError('forbidden', 'auth', 'Your role does not allow this action.')
      }
      const params = parseWith(spec.params as P, await context.params, 'path parameters')
      const query = parseWith(spec.query as Q, Object.fromEntries(request.nextUrl.searchParams), 'query')
      let body = undefined as Parsed<B>
      if (spec.body) {
        const text = await readCappedText(request, spec.maxBodyBytes ?? defaultMaxBodyBytes)
        let json: unknown
        try {
          json = JSON.parse(text)
        } catch {
          throw new AppError('bad_request', 'api', 'The request body must be valid JSON.')
        }
        body = parseWith(spec.body, json, 'request body')
      }
      return await handler({ request, user, body, query, params })
    } catch (error) {
      if (error instanceof AppError) return error.toResponse()
      console.error(`[api] ${request.method} ${request.nextUrl.pathname} failed`, error)
      return Response.json({ code: 'internal:api', message: 'Something went wrong on the server; it has been logged.' }, { status: 500 })
    }
  }
}
