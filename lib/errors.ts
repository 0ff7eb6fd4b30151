// Typed application errors: each carries a code `${kind}:${surface}` and a message that is
// safe to show to the user. Anything that is not an AppError is logged and answered with
// a generic 500 by the route wrapper.

export type ErrorKind =
  | 'bad_request'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'payload_too_large'
  | 'rate_limited'

export type ErrorSurface = 'api' | 'auth' | 'users' | 'audit' | 'database' | 'pacs' | 'models' | 'findings'

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
    const body: Record<string, unknown> = { code: this.code, message: this.message }
    if (this.details !== undefined) body.details = this.details
    return Response.json(body, { status: this.status, headers })
  }
}

export function exhaustiveSwitchError(value: never): never {
  throw new Error(`Unhandled case: ${JSON.stringify(value)}`)
}
