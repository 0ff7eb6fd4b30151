// Parts of the data-layer suite (data-layer-suite.ts): migrations and demo seeding, user
// changes and their audit events.
import { before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { readdirSync } from 'node:fs'
import type { Db, Database } from '../../lib/db/client.server'
import type { SessionUser } from '../../lib/auth/session-user'
import type { DataLayerContext, Modules } from './data-layer-context'

export function defineMigrationTests(c: DataLayerContext): void {
  const { provider, auditCount } = c

  describe('migrations and seeding', () => {
    let m: Modules
    let database: Database
    let db: Db

    before(() => {
      m = c.m
      database = c.database
      db = c.db
    })

    it('connects to the configured provider', () => {
      assert.equal(database.config.provider, provider)
    })

    it('applies every migration to an empty database, and nothing on a second run', async () => {
      const onDisk = readdirSync(m.migrate.migrationsDir(provider), { withFileTypes: true })
        .filter((entry) => entry.isDirectory())
        .map((entry) => entry.name)
        .sort()
      assert.ok(onDisk.length >= 2, `migrations found: ${onDisk.join(', ')}`)
      assert.deepEqual(await m.migrate.applyMigrations(database.config), onDisk)

      const recorded = await db.$queryRawUnsafe<{ migration_name: string }[]>(
        `SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL ORDER BY migration_name`,
      )
      assert.deepEqual(
        recorded.map((row) => row.migration_name),
        onDisk,
      )
      assert.equal(await db.user.count(), 0)
      assert.equal(await db.loginFailure.count(), 0)
      assert.equal(await auditCount(), 0)

      assert.deepEqual(await m.migrate.applyMigrations(database.config), [])
    })

    it('outside demo mode, setup seeds nothing into an empty database, and nothing refuses the start', async () => {
      const report = await m.setup.setupDatabase({ demo: false })
      assert.deepEqual(report.seededAccounts, [])
      assert.equal(await db.user.count(), 0)
      assert.equal(await auditCount(), 0)
      await m.setup.refusePublishedPasswords(db)
    })

    it('demo mode is PARALLAX_DEMO=1 and nothing else', () => {
      assert.equal(m.setup.demoModeEnabled({ PARALLAX_DEMO: '1' }), true)
      for (const value of [undefined, '', '0', 'true', 'yes']) assert.equal(m.setup.demoModeEnabled({ PARALLAX_DEMO: value }), false, String(value))
    })

    it('in demo mode, seeds the four demo accounts, each with a user-created audit event, into an empty database', async () => {
      const report = await m.setup.setupDatabase({ demo: true })
      assert.equal(report.provider, provider)
      assert.deepEqual(report.appliedMigrations, [])
      const demoNames = m.demo.demoAccounts.map((account) => account.username)
      assert.deepEqual(report.seededAccounts, demoNames)
      assert.equal(demoNames.length, 4)

      const users = await m.users.listUsers(db)
      assert.deepEqual(
        users.map((user) => user.username),
        [...demoNames].sort(),
      )
      for (const user of users) {
        assert.equal(user.role, m.demo.demoAccounts.find((account) => account.username === user.username)!.role)
        assert.equal(user.disabled, false)
      }

      const events = await db.auditEvent.findMany({ orderBy: { seq: 'asc' } })
      assert.deepEqual(
        events.map((event) => event.seq),
        [1, 2, 3, 4],
      )
      assert.equal(events[0]!.prevHash, m.chain.GENESIS_HASH)
      for (const [index, event] of events.entries()) {
        const user = users.find((candidate) => candidate.username === demoNames[index])!
        assert.equal(event.eventType, 'user-created')
        assert.equal(event.eventCode, '110113')
        assert.equal(event.eventTypeCode, '110137')
        assert.equal(event.action, 'C')
        assert.equal(event.actorId, null, 'seeding is done by the system, not a user')
        assert.equal(event.entities, JSON.stringify([{ id: user.id, type: 'user' }]))
        assert.deepEqual(JSON.parse(event.details), { role: user.role, username: user.username })
        if (index > 0) assert.equal(event.prevHash, events[index - 1]!.hash)
      }

      const verdict = await m.verify.verifyAuditChain(db)
      assert.deepEqual(verdict, { ok: true, count: 4, headSeq: 4, headHash: events[3]!.hash })
    })

    it('does not seed again, or apply anything, on the next start', async () => {
      const report = await m.setup.setupDatabase({ demo: true })
      assert.deepEqual(report.appliedMigrations, [])
      assert.deepEqual(report.seededAccounts, [])
      assert.equal(await db.user.count(), 4)
      assert.equal(await auditCount(), 4)
    })

    it('stores password hashes, not passwords', async () => {
      for (const account of m.demo.demoAccounts) {
        const row = await db.user.findUniqueOrThrow({ where: { username: account.username } })
        assert.match(row.passwordHash, /^scrypt\$131072\$8\$1\$[\w-]+\$[\w-]+$/)
        assert.ok(!row.passwordHash.includes(account.password))
      }
    })

    it('outside demo mode, the start is refused while the demo accounts keep their published passwords (checked against the stored hashes)', async () => {
      const demoNames = m.demo.demoAccounts.map((account) => account.username)
      assert.deepEqual(await m.setup.accountsWithPublishedPasswords(db), [...demoNames].sort())
      await assert.rejects(m.setup.refusePublishedPasswords(db), (error: unknown) => {
        assert.ok(error instanceof m.setup.PublishedPasswordError)
        assert.deepEqual(error.usernames, [...demoNames].sort())
        assert.match(error.message, /^Refusing to start outside demo mode: "admin", "auditor", "radiologist", "researcher" still have passwords published in the README/)
        return true
      })
    })
  })
}

/** Finds the seeded admin account, which the later parts act as (`c.admin`). */
export function defineUserTests(c: DataLayerContext): void {
  const { auditCount, lastAudit, assertAppError, withAuditInsertsFailing } = c

  describe('user changes and their audit events', () => {
    let tessId: string
    let m: Modules
    let db: Db
    let admin: SessionUser

    before(async () => {
      m = c.m
      db = c.db
      const row = await db.user.findUniqueOrThrow({ where: { username: 'admin' } })
      admin = { id: row.id, username: row.username, displayName: row.displayName, role: 'admin' }
      c.admin = admin
    })

    it('createUser writes the user and a user-created event naming the actor', async () => {
      const head = await auditCount()
      const dto = await m.users.createUser(db, { username: 'tess', displayName: 'Tess Tester', role: 'researcher', password: 'correct horse battery' }, admin, '198.51.100.4')
      tessId = dto.id
      assert.equal(dto.username, 'tess')
      assert.equal(dto.role, 'researcher')
      assert.equal(await auditCount(), head + 1)
      const [event] = await lastAudit()
      assert.equal(event!.seq, head + 1)
      assert.equal(event!.eventType, 'user-created')
      assert.equal(event!.eventCode, '110113')
      assert.equal(event!.eventTypeCode, '110137')
      assert.equal(event!.action, 'C')
      assert.equal(event!.outcome, 0)
      assert.equal(event!.actorId, admin.id)
      assert.equal(event!.actorName, 'admin')
      assert.equal(event!.actorRole, 'admin')
      assert.equal(event!.sourceIp, '198.51.100.4')
      assert.equal(event!.entities, `[{"id":"${tessId}","type":"user"}]`)
      assert.equal(event!.details, '{"role":"researcher","username":"tess"}')
    })

    it('a createUser refused for a duplicate username adds neither a user nor an audit event', async () => {
      const [users, events] = [await db.user.count(), await auditCount()]
      await assertAppError(m.users.createUser(db, { username: 'tess', displayName: 'Another Tess', role: 'admin', password: 'another long password' }, admin), 'conflict:users')
      assert.equal(await db.user.count(), users)
      assert.equal(await auditCount(), events)
      assert.equal((await db.user.findUniqueOrThrow({ where: { username: 'tess' } })).displayName, 'Tess Tester')
    })

    it('a change whose audit event cannot be written is rolled back with it (same transaction)', async () => {
      const [users, events] = [await db.user.count(), await auditCount()]
      await withAuditInsertsFailing(async () => {
        // The failing step is the audit insert (SQLite's adapter reports a trigger abort
        // as a constraint violation, so match the Prisma call rather than the text).
        await assert.rejects(
          m.users.createUser(db, { username: 'ulla', displayName: 'Ulla', role: 'radiologist', password: 'a long enough password' }, admin),
          /`tx\.auditEvent\.create\(\)`/,
        )
        await assert.rejects(m.users.updateUser(db, tessId, { role: 'admin', disabled: true }, admin), /`tx\.auditEvent\.create\(\)`/)
      })
      assert.equal(await db.user.findUnique({ where: { username: 'ulla' } }), null)
      assert.equal(await db.user.count(), users)
      const tess = await db.user.findUniqueOrThrow({ where: { id: tessId } })
      assert.equal(tess.role, 'researcher')
      assert.equal(tess.disabled, false)
      assert.equal(await auditCount(), events)
    })

    it('a role change is audited as role-changed (110113 / 110136) with from and to', async () => {
      const head = await auditCount()
      const dto = await m.users.updateUser(db, tessId, { role: 'auditor' }, admin, '198.51.100.4')
      assert.equal(dto.role, 'auditor')
      assert.equal((await db.user.findUniqueOrThrow({ where: { id: tessId } })).role, 'auditor')
      const events = await db.auditEvent.findMany({ where: { seq: { gt: head } } })
      assert.equal(events.length, 1)
      const [event] = events
      assert.equal(event!.eventType, 'role-changed')
      assert.equal(event!.eventCode, '110113')
      assert.equal(event!.eventTypeCode, '110136')
      assert.equal(event!.action, 'U')
      assert.equal(event!.actorId, admin.id)
      assert.equal(event!.entities, `[{"id":"${tessId}","type":"user"}]`)
      assert.deepEqual(JSON.parse(event!.details), { from: 'researcher', to: 'auditor', username: 'tess' })
    })

    it('an update that changes nothing writes no audit event', async () => {
      const head = await auditCount()
      await m.users.updateUser(db, tessId, { role: 'auditor', disabled: false }, admin)
      assert.equal(await auditCount(), head)
    })

    it('disabling and enabling are audited as user-disabled / user-enabled (110113 / 110137)', async () => {
      const head = await auditCount()
      assert.equal((await m.users.updateUser(db, tessId, { disabled: true }, admin)).disabled, true)
      assert.equal((await db.user.findUniqueOrThrow({ where: { id: tessId } })).disabled, true)
      assert.equal((await m.users.updateUser(db, tessId, { disabled: false }, admin)).disabled, false)
      const events = await lastAudit(2)
      assert.deepEqual(
        events.map((event) => event.seq),
        [head + 1, head + 2],
      )
      assert.deepEqual(
        events.map((event) => event.eventType),
        ['user-disabled', 'user-enabled'],
      )
      for (const event of events) {
        assert.equal(event.eventCode, '110113')
        assert.equal(event.eventTypeCode, '110137')
        assert.equal(event.details, '{"username":"tess"}')
      }
    })

    it('a password reset is audited (110113 / 110137), replaces the hash and bumps sessionVersion', async () => {
      const beforeRow = await db.user.findUniqueOrThrow({ where: { id: tessId } })
      const head = await auditCount()
      await m.users.updateUser(db, tessId, { password: 'a brand new passphrase' }, admin)
      const afterRow = await db.user.findUniqueOrThrow({ where: { id: tessId } })
      assert.equal(afterRow.sessionVersion, beforeRow.sessionVersion + 1)
      assert.notEqual(afterRow.passwordHash, beforeRow.passwordHash)
      assert.equal(await m.password.verifyPassword('a brand new passphrase', afterRow.passwordHash), true)
      const events = await db.auditEvent.findMany({ where: { seq: { gt: head } } })
      assert.equal(events.length, 1)
      assert.equal(events[0]!.eventType, 'password-reset')
      assert.equal(events[0]!.eventCode, '110113')
      assert.equal(events[0]!.eventTypeCode, '110137')
      assert.ok(!events[0]!.details.includes('passphrase'), 'the audit event must not contain the password')
    })

    it('a change of role and status together writes one event per change, consecutively', async () => {
      const head = await auditCount()
      const sessionVersion = (await db.user.findUniqueOrThrow({ where: { id: tessId } })).sessionVersion
      await m.users.updateUser(db, tessId, { role: 'radiologist', disabled: true }, admin)
      const events = await db.auditEvent.findMany({ where: { seq: { gt: head } }, orderBy: { seq: 'asc' } })
      assert.deepEqual(
        events.map((event) => [event.seq, event.eventType]),
        [
          [head + 1, 'role-changed'],
          [head + 2, 'user-disabled'],
        ],
      )
      const row = await db.user.findUniqueOrThrow({ where: { id: tessId } })
      assert.equal(row.role, 'radiologist')
      assert.equal(row.disabled, true)
      assert.equal(row.sessionVersion, sessionVersion, 'only a password reset bumps sessionVersion')
    })

    it('refuses self-lockout and unknown users without writing an audit event', async () => {
      const head = await auditCount()
      await assertAppError(m.users.updateUser(db, admin.id, { disabled: true }, admin), 'conflict:users')
      await assertAppError(m.users.updateUser(db, admin.id, { role: 'auditor' }, admin), 'conflict:users')
      await assertAppError(m.users.updateUser(db, 'no-such-user', { role: 'auditor' }, admin), 'not_found:users')
      assert.equal(await auditCount(), head)
      const row = await db.user.findUniqueOrThrow({ where: { id: admin.id } })
      assert.equal(row.role, 'admin')
      assert.equal(row.disabled, false)
    })

    it('leaves a chain that verifies', async () => {
      const verdict = await m.verify.verifyAuditChain(db)
      assert.ok(verdict.ok, JSON.stringify(verdict))
      assert.equal(verdict.headSeq, await auditCount())
    })
  })
}
