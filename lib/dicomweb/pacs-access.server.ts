import 'server-only'
import { randomUUID, timingSafeEqual } from 'node:crypto'
import { recordAudit } from '../audit/append.server'
import { pacsScopeRoles } from '../auth/access'
import type { SessionUser } from '../auth/session-user'
import { pacsProxyKey, pacsTokenKeyBytes } from '../config/secrets.server'
import type { Db } from '../db/client.server'
import { AppError } from '../errors'
import { isRole, type Role } from '../vocabulary/roles'
import { authorizePacsRequest, type ProxyDecision } from './pacs-authorize'
import { importPacsTokenKey, newPacsTokenClaims, pacsTokenLifetimeSeconds, signPacsToken, type PacsScope, type PacsTokenResponse } from './pacs-token'

// Per-user PACS access. A browser asks POST /api/pacs/[id]/token for a short-lived token
// (audited, 110114 / ITI-71) and sends it to the reverse proxy in front of the PACS; the
// proxy asks GET /api/pacs/authorize whether the request may pass and, when it presents
// the proxy key, is handed the PACS's own credential to add upstream. No browser ever
// holds that credential.

export const proxyKeyHeader = 'x-parallax-proxy-key'
export const pacsCredentialHeader = 'x-pacs-authorization'

let tokenKey: Promise<CryptoKey> | undefined
const key = () => (tokenKey ??= importPacsTokenKey(pacsTokenKeyBytes()))

export function scopesForRole(role: Role): PacsScope[] {
  return (Object.keys(pacsScopeRoles) as PacsScope[]).filter((scope) => (pacsScopeRoles[scope] as readonly Role[]).includes(role))
}

export async function issuePacsToken(db: Db, user: SessionUser, pacsId: string, scope: PacsScope, sourceIp: string | null): Promise<PacsTokenResponse> {
  if (!scopesForRole(user.role).includes(scope)) throw new AppError('forbidden', 'pacs', 'Your role does not allow this access to the PACS.')
  if (!(await db.pacsServer.findUnique({ where: { id: pacsId }, select: { id: true } }))) throw new AppError('not_found', 'pacs', 'No such PACS server.')
  const claims = newPacsTokenClaims({ userId: user.id, pacsId, scope, now: Date.now(), id: randomUUID() })
  const token = await signPacsToken(await key(), claims)
  // Recorded before the token is handed out: a token the trail does not know never leaves.
  await recordAudit(
    db,
    { type: 'pacs-token-issued', pacsId, scope: claims.scope, tokenId: claims.jti, expiresAt: new Date(claims.exp * 1000).toISOString() },
    { actor: { id: user.id, username: user.username, role: user.role }, sourceIp },
  )
  return { access_token: token, token_type: 'Bearer', expires_in: pacsTokenLifetimeSeconds, scope: claims.scope }
}

function sameKey(presented: string | null, expected: string): boolean {
  if (presented === null) return false
  const a = Buffer.from(presented)
  const b = Buffer.from(expected)
  return a.length === b.length && timingSafeEqual(a, b)
}

async function decide(db: Db, headers: Headers): Promise<ProxyDecision> {
  return authorizePacsRequest(
    {
      authorization: headers.get('authorization'),
      method: headers.get('x-original-method') ?? '',
      originalUrl: headers.get('x-original-url'),
      now: Date.now(),
    },
    {
      key: await key(),
      pacs: (id) => db.pacsServer.findUnique({ where: { id }, select: { qidoRoot: true, wadoRoot: true } }),
      // The user as of now: disabled, or moved to a role without PACS access, ends every token at once.
      async userScopes(userId) {
        const row = await db.user.findUnique({ where: { id: userId }, select: { role: true, disabled: true } })
        return row && !row.disabled && isRole(row.role) ? scopesForRole(row.role) : []
      },
    },
  )
}

/**
 * The answer to the proxy's subrequest: 204 (pass; with the PACS credential when the proxy
 * presented its key), 401 (no valid token), 403 (a token that does not cover the request, or
 * a wrong proxy key). Not audited per request: a study's retrieval is thousands of them, and
 * the token that allowed them was audited when it was issued.
 */
export async function answerProxy(db: Db, headers: Headers): Promise<Response> {
  const expectedKey = pacsProxyKey()
  const base = { 'cache-control': 'no-store' }
  if (expectedKey !== null && !sameKey(headers.get(proxyKeyHeader), expectedKey)) return new Response(null, { status: 403, headers: base })
  const decision = await decide(db, headers)
  if (decision.status === 401) return new Response(null, { status: 401, headers: { ...base, 'www-authenticate': 'Bearer realm="pacs", error="invalid_token"' } })
  if (decision.status === 403) return new Response(null, { status: 403, headers: { ...base, 'www-authenticate': 'Bearer realm="pacs", error="insufficient_scope"' } })
  const passed: Record<string, string> = { ...base, 'x-parallax-user': decision.claims.sub, 'x-parallax-token-id': decision.claims.jti }
  if (expectedKey !== null) {
    const credential = (await db.pacsServer.findUnique({ where: { id: decision.claims.aud }, select: { authHeader: true } }))?.authHeader
    if (credential) passed[pacsCredentialHeader] = credential
  }
  return new Response(null, { status: 204, headers: passed })
}
