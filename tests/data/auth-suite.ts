// Parts of the data-layer suite (data-layer-suite.ts) for signing in: login throttling
// (attempts reserved before the password check, parallel ones included) and server-side
// sessions (revocation on sign-out, idle timeout, absolute lifetime).
import { before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { Db } from '../../lib/db/client.server'
import type { DataLayerContext, Modules } from './data-layer-context'

export function defineThrottleTests(c: DataLayerContext): void {
  describe('login throttling', () => {
    let m: Modules
    let db: Db

    before(() => {
      m = c.m
      db = c.db
    })

    const windowMs = 15 * 60 * 1000
    const allowed = async (username: string, address: string, now?: Date) => {
      const attempt = await m.throttle.reserveLoginAttempt(db, username, address, now)
      assert.equal(attempt.throttled, false, `${username} from ${address} should be let through`)
      return attempt as Exclude<typeof attempt, { throttled: true }>
    }
    const failures = (scope: string, key: string) => db.loginFailure.count({ where: { scope, key } })

    it('uses the documented policy: 5 per account, 30 per address, in 15 minutes', () => {
      assert.deepEqual(m.throttle.throttlePolicy, { windowMs, maxFailuresPerAccount: 5, maxFailuresPerAddress: 30 })
    })

    it('lets 5 attempts per account through, then throttles it from any address, but not other accounts from that address', async () => {
      const address = '203.0.113.10'
      for (let attempt = 1; attempt <= 4; attempt++) await allowed('victim', address)
      await allowed('Victim ', address) // same account, however typed
      assert.equal(await failures('account', 'victim'), 5, 'each attempt is counted before its password is checked')

      const verdict = await m.throttle.reserveLoginAttempt(db, 'victim', address)
      assert.ok(verdict.throttled)
      assert.equal(verdict.scope, 'account')
      assert.ok(verdict.retryAfterSeconds > 0 && verdict.retryAfterSeconds <= windowMs / 1000, String(verdict.retryAfterSeconds))
      assert.equal((await m.throttle.reserveLoginAttempt(db, 'VICTIM', '198.51.100.99')).throttled, true, 'account lock holds from anywhere')

      const bystander = await allowed('bystander', address)
      await m.throttle.releaseLoginAttempt(db, bystander)
    })

    it('writes nothing for a refused attempt, so hammering a locked account does not extend the lock', async () => {
      const before = await db.loginFailure.count()
      for (let attempt = 0; attempt < 3; attempt++) assert.equal((await m.throttle.reserveLoginAttempt(db, 'victim', '203.0.113.10')).throttled, true)
      assert.equal(await db.loginFailure.count(), before)
    })

    it('expires after the window', async () => {
      const later = new Date(Date.now() + windowMs + 1000)
      await m.throttle.releaseLoginAttempt(db, await allowed('victim', '203.0.113.10', later))
    })

    it('a successful attempt releases its reservation and the account’s earlier failures', async () => {
      const address = '203.0.113.20'
      for (let attempt = 1; attempt <= 4; attempt++) await allowed('forgetful', address)
      const success = await allowed('forgetful', address)
      assert.equal(await failures('address', address), 5)
      await m.throttle.releaseLoginAttempt(db, success)
      assert.equal(await failures('account', 'forgetful'), 0)
      assert.equal(await failures('address', address), 4, 'the address keeps its failures; only the success is taken back')
      for (let attempt = 1; attempt <= 5; attempt++) await allowed('forgetful', address)
    })

    it('of 12 parallel attempts on one account, exactly 5 reach the password check', async () => {
      const attempts = await Promise.all(Array.from({ length: 12 }, (_, index) => m.throttle.reserveLoginAttempt(db, 'stampede', `198.51.100.${index + 1}`)))
      assert.equal(attempts.filter((attempt) => !attempt.throttled).length, 5)
      assert.equal(attempts.filter((attempt) => attempt.throttled && attempt.scope === 'account').length, 7)
      assert.equal(await failures('account', 'stampede'), 5)
    })

    it('throttles an address after 30 attempts across accounts, for every account, and only that address', async () => {
      const address = '203.0.113.30'
      // 29 attempts spread over accounts, none reaching the account limit.
      for (let index = 0; index < 29; index++) await allowed(`guess-${index % 10}`, address)
      await allowed('guess-last', address)
      const verdict = await m.throttle.reserveLoginAttempt(db, 'fresh-account', address)
      assert.ok(verdict.throttled)
      assert.equal(verdict.scope, 'address')
      await m.throttle.releaseLoginAttempt(db, await allowed('fresh-account', '203.0.113.31'))
    })
  })
}

export function defineSessionTests(c: DataLayerContext): void {
  describe('sessions', () => {
    let m: Modules
    let db: Db
    let userId: string
    let sessionVersion: number

    const minute = 60_000
    const hour = 60 * minute
    const policy = { maxAgeMs: 12 * hour, idleMs: 30 * minute }
    const t0 = new Date('2026-12-01T08:00:00Z')
    const at = (ms: number) => new Date(t0.getTime() + ms)
    const tokenFor = (sid: string) => ({ uid: userId, sessionVersion, sid })

    before(async () => {
      m = c.m
      db = c.db
      const row = await db.user.findUniqueOrThrow({ where: { username: 'researcher' } })
      userId = row.id
      sessionVersion = row.sessionVersion
    })

    it('a sign-in opens a session row; its token is valid and a request counts as activity (at most once a minute)', async () => {
      const sid = await m.session.openSession(userId, t0, policy)
      assert.match(sid, /^[\w-]{43}$/)
      const user = await m.session.loadSessionUser(tokenFor(sid), at(10_000), policy)
      assert.equal(user?.username, 'researcher')
      assert.equal((await db.userSession.findUniqueOrThrow({ where: { id: sid } })).lastSeenAt.getTime(), t0.getTime())
      assert.ok(await m.session.loadSessionUser(tokenFor(sid), at(2 * minute), policy))
      assert.equal((await db.userSession.findUniqueOrThrow({ where: { id: sid } })).lastSeenAt.getTime(), at(2 * minute).getTime())
    })

    it('signing out revokes the session: the same token is refused from then on', async () => {
      const sid = await m.session.openSession(userId, t0, policy)
      const other = await m.session.openSession(userId, t0, policy)
      assert.ok(await m.session.loadSessionUser(tokenFor(sid), at(minute), policy))
      await m.session.revokeSession(sid, at(2 * minute))
      assert.equal(await m.session.loadSessionUser(tokenFor(sid), at(3 * minute), policy), null)
      assert.ok(await m.session.loadSessionUser(tokenFor(other), at(3 * minute), policy), 'the account’s other sessions go on')
    })

    it('ends after 30 idle minutes, and stays ended', async () => {
      const sid = await m.session.openSession(userId, t0, policy)
      assert.ok(await m.session.loadSessionUser(tokenFor(sid), at(29 * minute), policy))
      assert.equal(await m.session.loadSessionUser(tokenFor(sid), at(59 * minute + 1), policy), null)
      assert.equal(await m.session.loadSessionUser(tokenFor(sid), at(60 * minute), policy), null)
    })

    it('ends 12 hours after sign-in however busy it is', async () => {
      const sid = await m.session.openSession(userId, t0, policy)
      for (let elapsed = 20 * minute; elapsed < 12 * hour; elapsed += 20 * minute) {
        assert.ok(await m.session.loadSessionUser(tokenFor(sid), at(elapsed), policy), `still valid after ${elapsed / minute} min`)
      }
      assert.equal(await m.session.loadSessionUser(tokenFor(sid), at(12 * hour), policy), null)
    })

    it('refuses tokens without a session, with an unknown one, or naming another account', async () => {
      const sid = await m.session.openSession(userId, t0, policy)
      const admin = await db.user.findUniqueOrThrow({ where: { username: 'admin' } })
      assert.equal(await m.session.loadSessionUser({ uid: userId, sessionVersion }, at(minute), policy), null)
      assert.equal(await m.session.loadSessionUser(tokenFor('not-a-session'), at(minute), policy), null)
      assert.equal(await m.session.loadSessionUser({ uid: admin.id, sessionVersion: admin.sessionVersion, sid }, at(minute), policy), null)
      assert.equal(await m.session.loadSessionUser({ ...tokenFor(sid), sessionVersion: sessionVersion + 1 }, at(minute), policy), null, 'a password reset still ends it')
    })

    it('opening a session removes the account’s rows past the absolute lifetime', async () => {
      const old = await m.session.openSession(userId, t0, policy)
      await m.session.openSession(userId, at(12 * hour + minute), policy)
      assert.equal(await db.userSession.findUnique({ where: { id: old } }), null)
    })
  })
}
