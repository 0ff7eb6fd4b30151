import { z } from 'zod'

// Typed application errors: each carries a code `${kind}:${surface}` and a message that is
// safe to show to the user. Anything that is not an AppError is logged and answered with
// a generic 500 by the route wrapper. The browser reads the same codes back (lib/ui/api-error.ts).

export type ErrorKind = 'bad_request' | 'unauthorized' | 'forbidden' | 'not_found' | 'conflict' | 'payload_too_large' | 'rate_limited'

export const errorSurfaces = ['api', 'auth', 'users', 'audit', 'database', 'pacs', 'models', 'findings', 'projects'] as const
export type ErrorSurface = (typeof errorSurfaces)[number]

export type ErrorCode = `${ErrorKind}:${ErrorSurface}`

const statusByKind: Record<ErrorKind, number> = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  rate_limited: 429,
}

/** Whether a code from the wire is one of ours. */
export function isErrorCode(code: string): code is ErrorCode {
  const [kind, surface, ...rest] = code.split(':')
  return rest.length === 0 && Object.hasOwn(statusByKind, kind!) && (errorSurfaces as readonly string[]).includes(surface!)
}

/** The kind a status stands for, for an error answer without one of our codes (a proxy's 502, say). */
export function errorKindOfStatus(status: number): ErrorKind | null {
  return (Object.keys(statusByKind) as ErrorKind[]).find((kind) => statusByKind[kind] === status) ?? null
}

/** What failed in a request that did not validate: a dotted path and why. */
export const errorIssueSchema = z.object({ path: z.string(), message: z.string() })
export type ErrorIssue = z.infer<typeof errorIssueSchema>

/** The body of every error answer: AppError.toResponse, and the route wrapper's generic 500 (`internal:api`). */
export const errorBodySchema = z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() })
export type ErrorBody = z.infer<typeof errorBodySchema>

export class AppError extends Error {
  readonly code: ErrorCode
  readonly status: number

  constructor(
    readonly kind: ErrorKind,
    readonly surface: ErrorSurface,
    message: string,
    readonly details?: unknown,
  ) {
    super(message)
    this.name = 'AppError'
    this.code = `${kind}:${surface}`
    this.status = statusByKind[kind]
  }

  toResponse(headers?: HeadersInit): Response {
    const body: ErrorBody = { code: this.code, message: this.message }
    if (this.details !== undefined) body.details = this.details
    return Response.json(body, { status: this.status, headers })
  }
}

export function exhaustiveSwitchError(value: never): never {
  throw new Error(`Unhandled case: ${JSON.stringify(value)}`)
}
