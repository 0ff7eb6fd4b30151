import type { z } from 'zod'
import { errorBodySchema, errorIssueSchema, errorKindOfStatus, isErrorCode, type ErrorCode, type ErrorIssue } from '../errors'

// The browser's side of our error answers: every response of our own API is read here,
// checked against the route's schema, and a failure becomes an ApiError that keeps the
// server's `kind:surface` code, its status and its user-facing message.

/**
 * The server's codes, plus what the browser alone can tell: the server's generic 500
 * (`internal:api`), no answer at all (`network:api`), an answer that does not match the
 * route's schema (`invalid_response:api`).
 */
export type ApiErrorCode = ErrorCode | 'internal:api' | 'network:api' | 'invalid_response:api'

export class ApiError extends Error {
  override readonly name = 'ApiError'

  constructor(
    readonly code: ApiErrorCode,
    /** The HTTP status; 0 when no answer came. */
    readonly status: number,
    message: string,
    /** What did not validate, when the request (or the answer) was refused for it. */
    readonly issues: readonly ErrorIssue[] = [],
  ) {
    super(message)
  }
}

const issuesSchema = errorIssueSchema.array()

function codeOf(code: string | undefined, status: number): ApiErrorCode {
  if (code !== undefined && (code === 'internal:api' || isErrorCode(code))) return code
  const kind = errorKindOfStatus(status)
  return kind ? `${kind}:api` : 'internal:api'
}

/** The ApiError a failed answer stands for, from its status and (when it has one of ours) its body. */
export function apiErrorOf(status: number, payload: unknown): ApiError {
  const body = errorBodySchema.safeParse(payload)
  const issues = body.success ? issuesSchema.safeParse(body.data.details) : null
  return new ApiError(codeOf(body.data?.code, status), status, body.data?.message ?? `Request failed (${status})`, issues?.success ? issues.data : [])
}

/** The request never got an answer (offline, DNS, the server down). */
export function networkError(): ApiError {
  return new ApiError('network:api', 0, 'The server could not be reached; check the connection and try again.')
}

/**
 * A response's body checked against the route's schema. A 204 is read as null; an error
 * status throws the server's error; a body that is not JSON or does not match throws
 * `invalid_response:api` with the mismatches as issues.
 */
export async function parseResponse<S extends z.ZodType>(response: Response, schema: S): Promise<z.output<S>> {
  let payload: unknown = null
  let readable = true
  if (response.status !== 204) {
    try {
      payload = await response.json()
    } catch {
      readable = false
    }
  }
  if (!response.ok) throw apiErrorOf(response.status, readable ? payload : null)
  const result = readable ? schema.safeParse(payload) : null
  if (!result?.success) {
    const issues = result ? result.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })) : []
    throw new ApiError('invalid_response:api', response.status, 'The server sent an answer this page does not understand; reload the page and try again.', issues)
  }
  return result.data
}
