// A production start on a fresh database (no demo mode): nothing seeded, the first
// administrator from `npm run users:create-admin`, a start refused while any account has a
// password the README publishes; on PostgreSQL, migrations as the owner and the app as a
// role that can neither alter the tables nor change the audit trail.
import { before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { SessionUser } from '../../lib/auth/session-user'
import type { Db } from '../../lib/db/client.server'
import { runScript } from '../support/run-script'
import type { ProductionContext, ProductionModules } from './production-context'

export function defineProductionStartTests(c: ProductionContext): void {
  describe('a production start', () => {
    let m: ProductionModules
    let db: Db
    let admin: SessionUser

    before(() => {
      m = c.m
      db = c.db
    })

    it('migrates (as the owner on PostgreSQL) and seeds no account outside demo mode', async () => {
      const report = await m.setup.setupDatabase({ demo: m.setup.demoModeEnabled() })
      assert.ok(report.appliedMigrations.length >= 2)
      assert.deepEqual(report.seededAccounts, [])
      assert.equal(report.appRole, c.provider === 'postgresql' ? 'parallax_app' : null)
      assert.equal(await db.user.count(), 0)
      assert.equal(await db.auditEvent.count(), 0)
      await m.setup.refusePublishedPasswords(db)
    })

    it('npm run users:create-admin creates the first administrator from standard input, and refuses a demo password', async () => {
      const env = { DATABASE_URL: c.urls.appUrl }
      const refused = await runScript('scripts/users/create-admin.ts', { args: ['ops'], env, input: 'parallax-admin\n' })
      assert.equal(refused.code, 1, refused.stderr)
      assert.match(refused.stderr, /Refused: password: not one of the demo passwords/)
      assert.equal(await db.user.count(), 0)

      const created = await runScript('scripts/users/create-admin.ts', { args: ['ops', '--display-name', 'Operations'], env, input: 'a long operator passphrase\n' })
      assert.equal(created.code, 0, created.stderr)
      assert.match(created.stdout, /^Created administrator "ops" /)
      const row = await db.user.findUniqueOrThrow({ where: { username: 'ops' } })
      assert.equal(row.role, 'admin')
      assert.equal(row.displayName, 'Operations')
      const [event] = await db.auditEvent.findMany({ orderBy: { seq: 'desc' }, take: 1 })
      assert.equal(event!.eventType, 'user-created')
      assert.equal(event!.actorId, null, 'created by the system')
      admin = { id: row.id, username: row.username, displayName: row.displayName, role: 'admin' }
      await m.setup.refusePublishedPasswords(db)
    })

    it('refuses the start while any account has a published password, whatever its name, until reset', async () => {
      // Left over from demo mode, or set behind the app: the schema refuses these passwords.
      const radiologist = m.demo.demoAccounts.find((account) => account.username === 'radiologist')!
      await m.users.createUser(db, radiologist, null)
      const bob = await m.users.createUser(db, { username: 'bob', displayName: 'Bob', role: 'auditor', password: 'parallax-admin' }, admin)
      // Disabled accounts count too: an administrator could enable them again.
      const disabled = await db.user.findUniqueOrThrow({ where: { username: 'radiologist' } })
      await m.users.updateUser(db, disabled.id, { disabled: true }, admin)
      await assert.rejects(m.setup.refusePublishedPasswords(db), (error: unknown) => {
        assert.ok(error instanceof m.setup.PublishedPasswordError)
        assert.deepEqual(error.usernames, ['bob', 'radiologist'])
        assert.match(error.message, /^Refusing to start outside demo mode: "bob", "radiologist" still have passwords published in the README/)
        return true
      })

      await m.users.updateUser(db, bob.id, { password: 'bob has his own now' }, admin)
      await m.users.updateUser(db, disabled.id, { password: 'so does the radiologist' }, admin)
      await m.setup.refusePublishedPasswords(db)
    })

    it('no account can be given a demo password through the app', () => {
      for (const { password } of m.demo.demoAccounts) {
        const parsed = m.userSchema.createUserSchema.safeParse({ username: 'eve', displayName: 'Eve', role: 'admin', password })
        assert.ok(!parsed.success && parsed.error.issues.some((issue) => issue.path[0] === 'password'), password)
        assert.equal(m.userSchema.updateUserSchema.safeParse({ password }).success, false)
      }
      assert.ok(m.userSchema.updateUserSchema.safeParse({ password: 'parallax-admin-2' }).success)
    })
  })

  if (c.provider !== 'postgresql') return

  describe('PostgreSQL: the app role and the owner', () => {
    let m: ProductionModules
    let db: Db

    before(() => {
      m = c.m
      db = c.db
    })

    /** What PostgreSQL answers the app role, from the driver's message. */
    async function refusal(sql: string): Promise<string> {
      try {
        await db.$executeRawUnsafe(sql)
      } catch (error) {
        const meta = (error as { meta?: { message?: unknown; driverAdapterError?: { cause?: { originalMessage?: unknown } } } }).meta
        return String(meta?.driverAdapterError?.cause?.originalMessage ?? meta?.message ?? error)
      }
      throw new Error(`the app role was allowed: ${sql}`)
    }

    it('the app connects as a role that owns nothing; the owner could alter the tables', async () => {
      assert.deepEqual(await m.appRole.appRoleStatus(c.database.config), { role: 'parallax_app', canAlterAuditTrail: false })
      assert.deepEqual(await m.appRole.appRoleStatus({ provider: 'postgresql', url: c.urls.ownerUrl }), { role: 'parallax_owner', canAlterAuditTrail: true })
    })

    it('the app role cannot disable triggers, alter or drop tables', async () => {
      for (const table of ['AuditEvent', 'AuditCheckpoint', 'ReadSignature']) {
        assert.match(await refusal(`ALTER TABLE "${table}" DISABLE TRIGGER USER`), /must be owner of table/)
        assert.match(await refusal(`ALTER TABLE "${table}" DISABLE TRIGGER ALL`), /must be owner of table/)
        assert.match(await refusal(`DROP TABLE "${table}"`), /must be owner of table/)
      }
      assert.match(await refusal(`DROP TRIGGER "AuditEvent_no_update_delete" ON "AuditEvent"`), /must be owner of (table|relation)/)
      assert.match(await refusal(`ALTER TABLE "User" ADD COLUMN "backdoor" TEXT`), /must be owner of table/)
      assert.match(await refusal(`CREATE TABLE "Shadow" ("id" INTEGER)`), /permission denied for schema public/)
    })

    it('the app role cannot UPDATE, DELETE or TRUNCATE audit events or checkpoints (privileges, before any trigger)', async () => {
      for (const table of ['AuditEvent', 'AuditCheckpoint']) {
        assert.match(await refusal(`UPDATE "${table}" SET "${table === 'AuditEvent' ? 'details' : 'rootHash'}" = 'x'`), new RegExp(`permission denied for table ${table}`))
        assert.match(await refusal(`DELETE FROM "${table}"`), new RegExp(`permission denied for table ${table}`))
        assert.match(await refusal(`TRUNCATE "${table}"`), new RegExp(`permission denied for table ${table}`))
      }
      assert.match(await refusal(`DELETE FROM "_prisma_migrations"`), /permission denied for table _prisma_migrations/)
    })

    it('the app role does its own work: throttling rows and audit events (and, in the tamper tests, checkpoints)', async () => {
      const attempt = await m.throttle.reserveLoginAttempt(db, 'someone', '203.0.113.7')
      assert.equal(attempt.throttled, false)
      const accountRows = () => db.loginFailure.count({ where: { scope: 'account' } })
      assert.equal(await accountRows(), 1)
      if (!attempt.throttled) await m.throttle.releaseLoginAttempt(db, attempt)
      assert.equal(await accountRows(), 0)
      await c.appendEvents(2, 'app-role')
      assert.ok((await m.verify.verifyAuditChain(db)).ok)
    })

    it("setup refuses two connections when the app's is the owner too", async () => {
      const owner = { provider: 'postgresql' as const, url: c.urls.ownerUrl }
      await assert.rejects(m.appRole.grantAppRole(owner, owner), /DATABASE_URL connects as "parallax_owner", which owns the tables/)
    })
  })
}
