import { z } from 'zod'

// PACS access tokens: what a browser sends to the reverse proxy in front of a PACS instead
// of the PACS's own credential. A JWT (RFC 7519) signed with HMAC-SHA-256 by Parallax,
// short-lived, naming one user (sub), one PACS (aud) and what it may do there (scope: read
// = QIDO-RS and WADO-RS, write = STOW-RS). Only Parallax holds the key: the proxy asks
// GET /api/pacs/authorize whether a request may pass (nginx auth_request), and adds the
// PACS credential itself. Pure, on Web Crypto, so tests can check tokens with the same
// code as the app.

export const pacsScopes = ['read', 'write'] as const
export const pacsScopeSchema = z.enum(pacsScopes)
export type PacsScope = z.infer<typeof pacsScopeSchema>

export const pacsTokenIssuer = 'parallax'
/** Five minutes: the browser renews a token a minute before it runs out (pacs-token.client.ts). */
export const pacsTokenLifetimeSeconds = 300
/** How far the issue time may lie in the future (clocks of several app instances). */
const clockSkewSeconds = 30

/** The claims, as signed. `scope` is space-separated as in OAuth 2.0 (RFC 6749 §3.3): "read" or "read write". */
export const pacsTokenClaimsSchema = z
  .object({
    iss: z.literal(pacsTokenIssuer),
    sub: z.string().min(1).max(64),
    aud: z.string().min(1).max(64),
    scope: z.enum(['read', 'read write']),
    iat: z.number().int(),
    exp: z.number().int(),
    jti: z.string().min(1).max(64),
  })
  .strict()
export type PacsTokenClaims = z.infer<typeof pacsTokenClaimsSchema>

/** What the token route answers (OAuth 2.0 token response fields, RFC 6749 §5.1). */
export const pacsTokenResponseSchema = z.object({
  access_token: z.string(),
  token_type: z.literal('Bearer'),
  expires_in: z.number().int().positive(),
  scope: pacsTokenClaimsSchema.shape.scope,
})
export type PacsTokenResponse = z.infer<typeof pacsTokenResponseSchema>

export const pacsTokenRequestSchema = z.object({ scope: pacsScopeSchema.default('read') }).strict()

/** Write implies read: storing a report goes with the study it belongs to. */
export function scopeClaim(scope: PacsScope): PacsTokenClaims['scope'] {
  return scope === 'write' ? 'read write' : 'read'
}

export function scopesOf(claims: PacsTokenClaims): PacsScope[] {
  return claims.scope.split(' ') as PacsScope[]
}

export type PacsTokenRefusal = 'malformed' | 'bad-signature' | 'expired' | 'not-yet-valid' | 'too-long-lived'
export type PacsTokenCheck = { ok: true; claims: PacsTokenClaims } | { ok: false; reason: PacsTokenRefusal }

const header = { alg: 'HS256', typ: 'JWT' } as const

function base64url(bytes: Uint8Array): string {
  let binary = ''
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

function fromBase64url(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) return null
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'))
  return Uint8Array.from(binary, (char) => char.charCodeAt(0))
}

const encodeJson = (value: unknown) => base64url(new TextEncoder().encode(JSON.stringify(value)))

function decodeJson(part: string): unknown {
  const bytes = fromBase64url(part)
  if (!bytes) return undefined
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes))
  } catch {
    return undefined
  }
}

/** The HMAC key from its secret bytes (at least 32). */
export async function importPacsTokenKey(secret: Uint8Array): Promise<CryptoKey> {
  if (secret.byteLength < 32) throw new Error('A PACS token key needs at least 32 bytes.')
  return crypto.subtle.importKey('raw', secret as BufferSource, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify'])
}

export async function signPacsToken(key: CryptoKey, claims: PacsTokenClaims): Promise<string> {
  const signingInput = `${encodeJson(header)}.${encodeJson(pacsTokenClaimsSchema.parse(claims))}`
  const signature = new Uint8Array(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(signingInput)))
  return `${signingInput}.${base64url(signature)}`
}

/** The claims for a new token: `now` in milliseconds, `id` unique per token. */
export function newPacsTokenClaims({ userId, pacsId, scope, now, id }: { userId: string; pacsId: string; scope: PacsScope; now: number; id: string }): PacsTokenClaims {
  const iat = Math.floor(now / 1000)
  return { iss: pacsTokenIssuer, sub: userId, aud: pacsId, scope: scopeClaim(scope), iat, exp: iat + pacsTokenLifetimeSeconds, jti: id }
}

/**
 * Checks a token: exactly our header (no other algorithm, "none" least of all), the
 * signature (Web Crypto's verify compares in constant time), the claims, the lifetime.
 */
export async function verifyPacsToken(key: CryptoKey, token: string, now: number): Promise<PacsTokenCheck> {
  const parts = token.split('.')
  if (parts.length !== 3 || token.length > 4096) return { ok: false, reason: 'malformed' }
  const [headerPart, payloadPart, signaturePart] = parts as [string, string, string]
  const decodedHeader = decodeJson(headerPart) as Record<string, unknown> | undefined
  const signature = fromBase64url(signaturePart)
  if (!decodedHeader || Object.keys(decodedHeader).length !== 2 || decodedHeader.alg !== header.alg || decodedHeader.typ !== header.typ || !signature) {
    return { ok: false, reason: 'malformed' }
  }
  const valid = await crypto.subtle.verify('HMAC', key, signature as BufferSource, new TextEncoder().encode(`${headerPart}.${payloadPart}`))
  if (!valid) return { ok: false, reason: 'bad-signature' }
  const claims = pacsTokenClaimsSchema.safeParse(decodeJson(payloadPart))
  if (!claims.success) return { ok: false, reason: 'malformed' }
  const seconds = now / 1000
  if (claims.data.exp <= seconds) return { ok: false, reason: 'expired' }
  if (claims.data.iat > seconds + clockSkewSeconds) return { ok: false, reason: 'not-yet-valid' }
  if (claims.data.exp - claims.data.iat > pacsTokenLifetimeSeconds) return { ok: false, reason: 'too-long-lived' }
  return { ok: true, claims: claims.data }
}

/** The token in an `Authorization: Bearer …` header value, or null. */
export function bearerToken(authorization: string | null | undefined): string | null {
  const match = /^Bearer ([A-Za-z0-9._-]+)$/.exec(authorization?.trim() ?? '')
  return match ? match[1]! : null
}
