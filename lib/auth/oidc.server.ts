import 'server-only'
import type { CallbacksOptions, LoggerInstance, NextAuthOptions, User } from 'next-auth'
import type { OAuthConfig } from 'next-auth/providers/oauth'
import { headers } from 'next/headers'
import { floodLimits } from '../audit/flood-limits.server'
import { getDb } from '../db/client.server'
import { clientAddress } from './client-address'
import { oidcProviderId, signInMethodsFrom, ssoIdentityFromClaims, type LoginOptions, type OidcConfig, type SignInMethods } from './oidc-config'
import { signInSsoAccount } from './sso-accounts.server'

// OpenID Connect single sign-on through next-auth's own OAuth support (discovery, the
// authorization code flow with PKCE, state and nonce, ID token validation by
// openid-client). What is ours: reading the IdP's claims, the just-in-time account
// (sso-accounts.server.ts) and the audit trail of every SSO sign-in and refusal.

/** Read once per process; a misconfiguration throws here, and `scripts/start.ts` checks it before serving. */
export const signInMethods: SignInMethods = signInMethodsFrom(process.env)

export function loginOptions(): LoginOptions {
  return { localLogin: signInMethods.localLogin, sso: signInMethods.oidc && { id: oidcProviderId, name: signInMethods.oidc.name } }
}

type Claims = Record<string, unknown> & { sub: string }
type Provider = NextAuthOptions['providers'][number]

function oidcProvider(config: OidcConfig): OAuthConfig<Claims> {
  return {
    id: oidcProviderId,
    name: config.name,
    type: 'oauth',
    wellKnown: `${config.issuer}/.well-known/openid-configuration`,
    clientId: config.clientId,
    clientSecret: config.clientSecret,
    authorization: { params: { scope: config.scopes } },
    checks: ['pkce', 'state', 'nonce'],
    idToken: true,
    // For the code flow, IdPs may keep profile and group claims out of the ID token and
    // answer them from userinfo (OIDC Core 5.4): read both, the ID token's claims winning.
    userinfo: {
      async request({ tokens, client }) {
        // At run time `tokens` is openid-client's TokenSet, its ID token already validated.
        const idToken = (tokens as unknown as { claims(): Claims }).claims()
        const info = await client.userinfo(tokens.access_token!)
        // OIDC Core 5.3.2: a userinfo answer for another subject must not be used.
        if (info.sub !== idToken.sub) throw new Error('userinfo answered for another subject than the ID token')
        return { ...info, ...idToken }
      },
    },
    // next-auth wants a user here, before the signIn callback resolves the Parallax account
    // (which it may refuse) and overwrites id, name, role and session version. This one has
    // no account behind it (no user id contains ':'), so a token made from it alone would
    // read as signed out.
    profile: (claims): User => ({ id: `unlinked:${claims.sub}`, name: String(claims.name ?? claims.sub), role: 'researcher', sessionVersion: -1 }),
  }
}

/**
 * next-auth's providers: the local (password) ones unless PARALLAX_LOCAL_LOGIN=0, which
 * leaves next-auth without any password endpoint; then single sign-on when configured.
 */
export function signInProviders(local: Provider[]): Provider[] {
  return [...(signInMethods.localLogin ? local : []), ...(signInMethods.oidc ? [oidcProvider(signInMethods.oidc)] : [])]
}

/** Where a refused SSO sign-in lands: the login page, which explains the code. */
const refusedUrl = { 'no-role': '/login?error=SsoNoRole', disabled: '/login?error=SsoDisabled' } as const

async function requestAddress(): Promise<string> {
  return clientAddress(await headers())
}

/**
 * next-auth's signIn callback. Local sign-ins were decided by `authorize`; for SSO this
 * finds or creates the account and applies the role, or refuses and says why. The account
 * is written into next-auth's user object, which (without a database adapter) is the one
 * the jwt callback receives, so the token carries the account's id and session version.
 */
export const ssoSignIn: CallbacksOptions['signIn'] = async ({ user, account, profile }) => {
  if (account?.provider !== oidcProviderId) return true
  const config = signInMethods.oidc
  if (!config || !profile) return false
  const identity = ssoIdentityFromClaims(profile as Record<string, unknown>, config)
  const result = await signInSsoAccount(getDb(), identity, await requestAddress())
  if (!result.ok) return refusedUrl[result.reason]
  Object.assign(user, result.account)
  return true
}

// An OAuth error code (RFC 6749 4.1.2.1) is kept as it is; any other failure text (it can
// quote request values) is recorded as one fixed word.
function oauthErrorCode(metadata: unknown): string {
  const error = metadata instanceof Error ? metadata : (metadata as { error?: unknown } | null)?.error
  const message = error instanceof Error ? error.message : ''
  return /^[a-z_]{1,40}$/.test(message) ? message : 'callback-failed'
}

/**
 * next-auth's logger, as its default prints, plus an audit event for a failed return from
 * the IdP: a cancelled sign-in, an error answer, a state, nonce or PKCE mismatch, a token
 * that does not validate. next-auth reports these as OAUTH_CALLBACK_ERROR.
 */
export const authLogger: Partial<LoggerInstance> = {
  error(code, metadata) {
    console.error(`[next-auth][error][${code}]`, `\nhttps://next-auth.js.org/errors#${code.toLowerCase()}`, metadata)
    const config = signInMethods.oidc
    if (code !== 'OAUTH_CALLBACK_ERROR' || !config) return
    requestAddress()
      .then((sourceIp) =>
        floodLimits().recordAnonymousAudit(getDb(), { type: 'sso-login-failed', issuer: config.issuer, reason: 'idp-error', error: oauthErrorCode(metadata) }, sourceIp),
      )
      .catch((error: unknown) => console.error('[auth] could not audit a failed single sign-on', error))
  },
}
