import 'server-only'
import { createHash, randomBytes } from 'node:crypto'
import { appendAudit, recordAudit } from '../audit/append.server'
import type { SsoFailureReason } from '../audit/events'
import type { Db, Tx } from '../db/client.server'
import { isRole, type Role } from '../vocabulary/roles'
import type { SsoIdentity } from './oidc-config'
import { hashPassword } from './password.server'

// Just-in-time accounts for single sign-on: the first sign-in through the IdP creates a
// Parallax account, linked to the IdP's issuer and subject (never to a username, which an
// IdP user might choose to match a local account). Each sign-in takes the role from the
// IdP's claims; a disabled account stays disabled, as for local users.

/** What the signIn callback hands to next-auth: the fields the session token keeps. */
export interface SsoAccount {
  id: string
  name: string
  role: Role
  sessionVersion: number
}

export type SsoSignInResult = { ok: true; account: SsoAccount } | { ok: false; reason: Exclude<SsoFailureReason, 'idp-error'> }

// SSO accounts never sign in with a password. The stored hash is of random bytes nobody
// kept, so the credentials form fails for them like for any wrong password, in the same time.
async function unusablePasswordHash(): Promise<string> {
  return hashPassword(randomBytes(32).toString('base64url'))
}

/** The preferred name, or when another account has it, the name with a suffix derived from the subject. */
async function freeUsername(tx: Tx, identity: SsoIdentity): Promise<string> {
  if (!(await tx.user.findUnique({ where: { username: identity.preferredName } }))) return identity.preferredName
  const suffix = createHash('sha256').update(`${identity.issuer}\n${identity.subject}`).digest('hex').slice(0, 10)
  return `${identity.preferredName}~${suffix}`
}

export async function signInSsoAccount(db: Db, identity: SsoIdentity, sourceIp: string | null): Promise<SsoSignInResult> {
  const link = { oidcIssuer: identity.issuer, oidcSubject: identity.subject }
  const existing = await db.user.findUnique({ where: { oidcIssuer_oidcSubject: link } })
  const refuse = async (reason: 'no-role' | 'disabled'): Promise<SsoSignInResult> => {
    await recordAudit(
      db,
      { type: 'sso-login-failed', issuer: identity.issuer, reason, subject: identity.subject, username: existing?.username ?? identity.preferredName },
      { actor: null, sourceIp },
    )
    return { ok: false, reason }
  }
  if (!identity.role) return refuse('no-role')
  if (existing?.disabled) return refuse('disabled')
  const role = identity.role
  const passwordHash = existing ? null : await unusablePasswordHash()

  const account = await db.$transaction(async (tx) => {
    let user = await tx.user.findUnique({ where: { oidcIssuer_oidcSubject: link } })
    if (!user) {
      user = await tx.user.create({
        data: { ...link, username: await freeUsername(tx, identity), displayName: identity.displayName, role, passwordHash: passwordHash ?? (await unusablePasswordHash()) },
      })
      await appendAudit(tx, { type: 'user-created', targetUserId: user.id, targetUsername: user.username, role }, { actor: null, sourceIp })
    } else if (user.role !== role || user.displayName !== identity.displayName) {
      // The IdP is the source of the role: a changed group shows here at the next sign-in.
      if (user.role !== role && isRole(user.role)) {
        await appendAudit(tx, { type: 'role-changed', targetUserId: user.id, targetUsername: user.username, from: user.role, to: role }, { actor: null, sourceIp })
      }
      user = await tx.user.update({ where: { id: user.id }, data: { role, displayName: identity.displayName } })
    }
    await appendAudit(tx, { type: 'sso-login', username: user.username, issuer: identity.issuer, role }, { actor: { id: user.id, username: user.username, role }, sourceIp })
    return { id: user.id, name: user.displayName, role, sessionVersion: user.sessionVersion }
  })
  return { ok: true, account }
}
