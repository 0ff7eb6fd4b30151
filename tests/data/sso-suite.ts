// Part of the data-layer suite (data-layer-suite.ts): just-in-time accounts for single
// sign-on. Linked by issuer and subject, role from the IdP's claims at each sign-in,
// refusals audited, and an SSO account disabled or re-roled like a local one.
import { before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { Db } from '../../lib/db/client.server'
import type { OidcConfig, SsoIdentity } from '../../lib/auth/oidc-config'
import type { DataLayerContext, Modules } from './data-layer-context'

const issuer = 'https://idp.example'
const config: OidcConfig = {
  issuer,
  clientId: 'parallax',
  clientSecret: 'secret',
  name: 'Example IdP',
  scopes: 'openid profile email',
  roleClaim: 'groups',
  roleMap: [
    { group: 'parallax-radiologists', role: 'radiologist' },
    { group: 'parallax-auditors', role: 'auditor' },
  ],
}

export function defineSsoAccountTests(c: DataLayerContext): void {
  const { auditCount, assertAppError } = c

  describe('single sign-on accounts', () => {
    let m: Modules
    let db: Db
    const identity = (sub: string, claims: Record<string, unknown>): SsoIdentity => m.oidcConfig.ssoIdentityFromClaims({ iss: issuer, sub, ...claims }, config)
    const eventsAfter = (seq: number) => db.auditEvent.findMany({ where: { seq: { gt: seq } }, orderBy: { seq: 'asc' } })
    const signIn = (who: SsoIdentity) => m.sso.signInSsoAccount(db, who, '203.0.113.7')
    let rheaId: string

    before(() => {
      m = c.m
      db = c.db
    })

    it('the first sign-in creates an account linked to issuer and subject, with the mapped role, audited', async () => {
      const head = await auditCount()
      const result = await signIn(identity('sub-rhea', { email: 'Rhea@Hospital.example', name: 'Rhea Radford', groups: ['staff', 'parallax-radiologists'] }))
      assert.ok(result.ok)
      rheaId = result.account.id
      assert.deepEqual(result.account, { id: rheaId, name: 'Rhea Radford', role: 'radiologist', sessionVersion: 0 })
      const row = await db.user.findUniqueOrThrow({ where: { id: rheaId } })
      assert.deepEqual([row.username, row.oidcIssuer, row.oidcSubject, row.role, row.disabled], ['rhea@hospital.example', issuer, 'sub-rhea', 'radiologist', false])
      assert.equal(m.users.toUserDto(row).signIn, 'sso')

      const events = await eventsAfter(head)
      assert.deepEqual(
        events.map((event) => [event.eventType, event.eventCode, event.actorName, event.sourceIp]),
        [
          ['user-created', '110113', null, '203.0.113.7'],
          ['sso-login', '110114', 'rhea@hospital.example', '203.0.113.7'],
        ],
      )
      assert.deepEqual(JSON.parse(events[1]!.details), { username: 'rhea@hospital.example', method: 'oidc', issuer, role: 'radiologist' })
      assert.equal(events[1]!.actorId, rheaId)
    })

    it('the account has no usable password: the credentials check fails for it', async () => {
      const row = await db.user.findUniqueOrThrow({ where: { id: rheaId } })
      assert.match(row.passwordHash, /^scrypt\$/)
      for (const guess of ['', 'rhea@hospital.example', 'password']) assert.equal(await m.password.verifyPassword(guess, row.passwordHash), false)
    })

    it('a later sign-in finds the same account by subject, whatever the claims now say, and takes the role from them', async () => {
      const head = await auditCount()
      const result = await signIn(identity('sub-rhea', { email: 'rhea.radford@hospital.example', name: 'Rhea R. Radford', groups: ['parallax-auditors'] }))
      assert.ok(result.ok)
      assert.equal(result.account.id, rheaId)
      assert.equal(result.account.role, 'auditor')
      const row = await db.user.findUniqueOrThrow({ where: { id: rheaId } })
      // The username stays what it was (the audit trail keeps naming one account); the name follows the IdP.
      assert.deepEqual([row.username, row.displayName, row.role], ['rhea@hospital.example', 'Rhea R. Radford', 'auditor'])
      const events = await eventsAfter(head)
      assert.deepEqual(
        events.map((event) => [event.eventType, event.actorId]),
        [
          ['role-changed', null],
          ['sso-login', rheaId],
        ],
      )
      assert.deepEqual(JSON.parse(events[0]!.details), { from: 'radiologist', to: 'auditor', username: 'rhea@hospital.example' })
    })

    it('the first mapping the user holds decides: the map order is the priority', async () => {
      const result = await signIn(identity('sub-rhea', { email: 'rhea@hospital.example', groups: ['parallax-auditors', 'parallax-radiologists'] }))
      assert.ok(result.ok)
      assert.equal(result.account.role, 'radiologist')
    })

    it('the same subject at another issuer, or an address another account has, is another account', async () => {
      const elsewhere = m.oidcConfig.ssoIdentityFromClaims(
        { iss: 'https://other-idp.example', sub: 'sub-rhea', email: 'rhea@hospital.example', groups: ['parallax-radiologists'] },
        config,
      )
      const other = await signIn(elsewhere)
      assert.ok(other.ok)
      assert.notEqual(other.account.id, rheaId)
      const row = await db.user.findUniqueOrThrow({ where: { id: other.account.id } })
      assert.match(row.username, /^rhea@hospital\.example~[0-9a-f]{10}$/)
      assert.equal(row.oidcIssuer, 'https://other-idp.example')
    })

    it('a user named like a local account gets an account of their own, never the local one', async () => {
      const localAdmin = await db.user.findUniqueOrThrow({ where: { username: 'admin' } })
      const result = await signIn(identity('sub-namesake', { preferred_username: 'admin', email: 'admin', groups: ['parallax-radiologists'] }))
      assert.ok(result.ok)
      assert.notEqual(result.account.id, localAdmin.id)
      assert.equal((await db.user.findUniqueOrThrow({ where: { id: result.account.id } })).username, 'admin@idp.example')
      assert.equal((await db.user.findUniqueOrThrow({ where: { id: localAdmin.id } })).role, 'admin')
    })

    it('claims that map to no role are refused and audited, and create no account', async () => {
      const [users, head] = [await db.user.count(), await auditCount()]
      const result = await signIn(identity('sub-nora', { email: 'nora@hospital.example', groups: ['staff'] }))
      assert.deepEqual(result, { ok: false, reason: 'no-role' })
      assert.equal(await db.user.count(), users)
      const events = await eventsAfter(head)
      assert.deepEqual(
        events.map((event) => [event.eventType, event.eventCode, event.outcome, event.actorId, event.sourceIp]),
        [['sso-login-failed', '110114', 4, null, '203.0.113.7']],
      )
      assert.deepEqual(JSON.parse(events[0]!.details), { method: 'oidc', issuer, reason: 'no-role', subject: 'sub-nora', username: 'nora@hospital.example' })
    })

    it('disabling an SSO account ends its session at once and refuses its next sign-in', async () => {
      // A signed-in SSO session: the token names its session row, as the jwt callback makes it.
      const token = { uid: rheaId, sessionVersion: 0, sid: await m.session.openSession(rheaId) }
      assert.equal((await m.session.loadSessionUser(token))?.role, 'radiologist')
      await m.users.updateUser(db, rheaId, { disabled: true }, c.admin)
      assert.equal(await m.session.loadSessionUser(token), null)

      const head = await auditCount()
      const result = await signIn(identity('sub-rhea', { email: 'rhea@hospital.example', groups: ['parallax-radiologists'] }))
      assert.deepEqual(result, { ok: false, reason: 'disabled' })
      const [event] = await eventsAfter(head)
      assert.equal(event!.eventType, 'sso-login-failed')
      assert.equal(JSON.parse(event!.details).reason, 'disabled')
      assert.equal((await db.user.findUniqueOrThrow({ where: { id: rheaId } })).disabled, true)

      await m.users.updateUser(db, rheaId, { disabled: false }, c.admin)
      assert.equal((await m.session.loadSessionUser(token))?.id, rheaId)
    })

    it('an admin role change applies to the session at once, until the next sign-in applies the claims again', async () => {
      // A signed-in SSO session: the token names its session row, as the jwt callback makes it.
      const token = { uid: rheaId, sessionVersion: 0, sid: await m.session.openSession(rheaId) }
      await m.users.updateUser(db, rheaId, { role: 'researcher' }, c.admin)
      assert.equal((await m.session.loadSessionUser(token))?.role, 'researcher')
      const result = await signIn(identity('sub-rhea', { email: 'rhea@hospital.example', groups: ['parallax-radiologists'] }))
      assert.ok(result.ok)
      assert.equal((await m.session.loadSessionUser(token))?.role, 'radiologist')
    })

    it('an SSO account has no password to reset', async () => {
      const head = await auditCount()
      await assertAppError(m.users.updateUser(db, rheaId, { password: 'a long new password' }, c.admin), 'conflict:users')
      assert.equal(await auditCount(), head)
    })
  })
}
