import { bearerToken, scopesOf, verifyPacsToken, type PacsScope, type PacsTokenClaims, type PacsTokenRefusal } from './pacs-token'

// The reverse proxy's question, answered: may this request (method, URL, Authorization
// header) pass to the PACS? Pure: GET /api/pacs/authorize answers it for nginx's
// auth_request with the database behind `lookups`, and the tests' stand-in for the app
// (tests/support/pacs-proxy.ts, behind the same nginx) with fixed ones.
// 401 when the token is missing or invalid (signature, expiry, format), 403 when a valid
// token does not cover the request (another PACS, a scope it lacks, a user no longer
// allowed, a method DICOMweb clients never need).

export interface PacsRoots {
  qidoRoot: string
  wadoRoot: string
}

export interface ProxyRequest {
  authorization: string | null
  method: string
  /** The URL the browser asked the proxy for (nginx: $scheme://$host$request_uri). */
  originalUrl: string | null
  now: number
}

export interface AuthorizeLookups {
  key: CryptoKey
  /** The PACS's configured roots, or null when there is no such PACS. */
  pacs(id: string): Promise<PacsRoots | null>
  /** What the user may do on a PACS now (an empty list once disabled or moved to another role). */
  userScopes(userId: string): Promise<readonly PacsScope[]>
}

export type ForbiddenReason = 'no-original-url' | 'unknown-pacs' | 'outside-pacs' | 'method' | 'insufficient-scope' | 'user-not-allowed'

export type ProxyDecision = { status: 204; claims: PacsTokenClaims } | { status: 401; reason: PacsTokenRefusal | 'missing' } | { status: 403; reason: ForbiddenReason }

const under = (url: URL, root: string) => {
  const at = `${url.origin}${url.pathname}`
  return at === root || at.startsWith(`${root}/`)
}

/**
 * The scope a request needs: read for GET/HEAD under either root, write for STOW-RS (POST to
 * {wadoRoot}/studies, or /studies/{uid}); null for anything else, which is never let through.
 */
export function requiredScope(method: string, url: URL, roots: PacsRoots): PacsScope | 'outside-pacs' | null {
  if (!under(url, roots.qidoRoot) && !under(url, roots.wadoRoot)) return 'outside-pacs'
  if (method === 'GET' || method === 'HEAD') return 'read'
  const stow = `${url.origin}${url.pathname}`.slice(roots.wadoRoot.length)
  if (method === 'POST' && under(url, roots.wadoRoot) && /^\/studies(\/[0-9.]{1,64})?$/.test(stow)) return 'write'
  return null
}

export async function authorizePacsRequest(request: ProxyRequest, lookups: AuthorizeLookups): Promise<ProxyDecision> {
  const token = bearerToken(request.authorization)
  if (!token) return { status: 401, reason: 'missing' }
  const check = await verifyPacsToken(lookups.key, token, request.now)
  if (!check.ok) return { status: 401, reason: check.reason }
  const { claims } = check
  let url: URL
  try {
    url = new URL(request.originalUrl ?? '')
  } catch {
    return { status: 403, reason: 'no-original-url' }
  }
  const roots = await lookups.pacs(claims.aud)
  if (!roots) return { status: 403, reason: 'unknown-pacs' }
  const needed = requiredScope(request.method.toUpperCase(), url, roots)
  if (needed === 'outside-pacs') return { status: 403, reason: 'outside-pacs' }
  if (!needed) return { status: 403, reason: 'method' }
  if (!scopesOf(claims).includes(needed)) return { status: 403, reason: 'insufficient-scope' }
  if (!(await lookups.userScopes(claims.sub)).includes(needed)) return { status: 403, reason: 'user-not-allowed' }
  return { status: 204, claims }
}
