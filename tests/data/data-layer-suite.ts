// The data-layer contract, run once per database (tests/data/sqlite.test.ts,
// tests/data/postgres.test.ts): migrations, demo seeding, audited user changes, the
// append-only hash-chained audit log, tamper detection (library and CLI), login
// throttling and PACS server configuration (pacs-suite.ts). Tests run in order and share
// one database; each asserts relative to the state the ones before it left.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtempSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Db, Database } from '../../lib/db/client.server'
import type { DatabaseProvider } from '../../lib/db/config'
import type { SessionUser } from '../../lib/auth/session-user'
import { definePacsSuite } from './pacs-suite'

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')

// Loaded in `before`, after DATABASE_URL is set: the db client reads it on first use.
async function loadModules() {
  return {
    client: await import('../../lib/db/client.server'),
    migrate: await import('../../lib/db/migrate.server'),
    setup: await import('../../lib/db/setup.server'),
    users: await import('../../lib/users/users.server'),
    demo: await import('../../lib/users/demo-accounts'),
    append: await import('../../lib/audit/append.server'),
    verify: await import('../../lib/audit/verify.server'),
    checkpoints: await import('../../lib/audit/checkpoints.server'),
    chain: await import('../../lib/audit/chain'),
    throttle: await import('../../lib/auth/throttle.server'),
    password: await import('../../lib/auth/password.server'),
    errors: await import('../../lib/errors'),
  }
}

interface CliResult {
  code: number | null
  stdout: string
  stderr: string
}

/**
 * Runs the `npm run audit:verify` script in a separate process against the given database.
 * `node --import tsx` is what the tsx CLI does, without its extra wrapper process.
 */
function runAuditVerifyCli(databaseUrl: string): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--conditions=react-server', '--import', 'tsx', 'scripts/audit-verify.ts'], {
      cwd: projectRoot,
      env: { ...process.env, DATABASE_URL: databaseUrl },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk) => (stdout += chunk))
    child.stderr.on('data', (chunk) => (stderr += chunk))
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
  })
}

export function defineDataLayerSuite(provider: DatabaseProvider, getUrl: () => string | Promise<string>): void {
  describe(`data layer on ${provider}`, () => {
    let m: Awaited<ReturnType<typeof loadModules>>
    let database: Database
    let db: Db
    let url: string
    let admin: SessionUser

    const auditCount = () => db.auditEvent.count()
    const lastAudit = async (count = 1) =>
      (await db.auditEvent.findMany({ orderBy: { seq: 'desc' }, take: count })).reverse()
    const auditRow = (seq: number) => db.auditEvent.findUniqueOrThrow({ where: { seq } })

    /**
     * Lifts the database's append-only guards for `run`, as someone with direct database
     * access could, then puts them back: the tamper-detection tests need it.
     */
    async function withGuardsLifted(run: () => Promise<void>): Promise<void> {
      if (provider === 'sqlite') {
        const triggers = await db.$queryRawUnsafe<{ name: string; sql: string }[]>(
          `SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'AuditEvent' ORDER BY name`,
        )
        assert.deepEqual(triggers.map((t) => t.name), ['AuditEvent_no_delete', 'AuditEvent_no_update'])
        for (const { name } of triggers) await db.$executeRawUnsafe(`DROP TRIGGER "${name}"`)
        try {
          await run()
        } finally {
          for (const { sql } of triggers) await db.$executeRawUnsafe(sql)
        }
      } else {
        await db.$executeRawUnsafe(`ALTER TABLE "AuditEvent" DISABLE TRIGGER USER`)
        try {
          await run()
        } finally {
          await db.$executeRawUnsafe(`ALTER TABLE "AuditEvent" ENABLE TRIGGER USER`)
        }
      }
    }

    /** Makes every audit insert fail while `run` runs, to show the change it accompanies rolls back. */
    async function withAuditInsertsFailing(run: () => Promise<void>): Promise<void> {
      if (provider === 'sqlite') {
        await db.$executeRawUnsafe(
          `CREATE TRIGGER "test_refuse_insert" BEFORE INSERT ON "AuditEvent" BEGIN SELECT RAISE(ABORT, 'test: audit insert refused'); END`,
        )
      } else {
        await db.$executeRawUnsafe(
          `CREATE FUNCTION "test_refuse_insert"() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'test: audit insert refused'; END $$`,
        )
        await db.$executeRawUnsafe(
          `CREATE TRIGGER "test_refuse_insert" BEFORE INSERT ON "AuditEvent" FOR EACH ROW EXECUTE FUNCTION "test_refuse_insert"()`,
        )
      }
      try {
        await run()
      } finally {
        if (provider === 'sqlite') {
          await db.$executeRawUnsafe(`DROP TRIGGER "test_refuse_insert"`)
        } else {
          await db.$executeRawUnsafe(`DROP TRIGGER "test_refuse_insert" ON "AuditEvent"`)
          await db.$executeRawUnsafe(`DROP FUNCTION "test_refuse_insert"()`)
        }
      }
    }

    async function assertAppError(promise: Promise<unknown>, code: string): Promise<void> {
      await assert.rejects(promise, (error: unknown) => {
        assert.ok(error instanceof m.errors.AppError, `expected an AppError, got ${String(error)}`)
        assert.equal(error.code, code)
        return true
      })
    }

    before(async () => {
      url = await getUrl()
      process.env.DATABASE_URL = url
      // The checkpoint signing key, outside the database, as in production.
      process.env.PARALLAX_AUDIT_KEY_FILE = path.join(mkdtempSync(path.join(tmpdir(), 'parallax-audit-key-')), 'key.pem')
      m = await loadModules()
      database = m.client.getDatabase()
      db = database.db
    })

    after(async () => {
      await db?.$disconnect()
    })

    describe('migrations and seeding', () => {
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
        assert.deepEqual(recorded.map((row) => row.migration_name), onDisk)
        assert.equal(await db.user.count(), 0)
        assert.equal(await db.loginFailure.count(), 0)
        assert.equal(await auditCount(), 0)

        assert.deepEqual(await m.migrate.applyMigrations(database.config), [])
      })

      it('seeds the four demo accounts, each with a user-created audit event, into an empty database', async () => {
        const report = await m.setup.setupDatabase({ seedDemo: true })
        assert.equal(report.provider, provider)
        assert.deepEqual(report.appliedMigrations, [])
        const demoNames = m.demo.demoAccounts.map((account) => account.username)
        assert.deepEqual(report.seededAccounts, demoNames)
        assert.equal(demoNames.length, 4)

        const users = await m.users.listUsers(db)
        assert.deepEqual(users.map((user) => user.username), [...demoNames].sort())
        for (const user of users) {
          assert.equal(user.role, m.demo.demoAccounts.find((account) => account.username === user.username)!.role)
          assert.equal(user.disabled, false)
        }

        const events = await db.auditEvent.findMany({ orderBy: { seq: 'asc' } })
        assert.deepEqual(events.map((event) => event.seq), [1, 2, 3, 4])
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
        const report = await m.setup.setupDatabase({ seedDemo: true })
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
    })

    describe('user changes and their audit events', () => {
      let tessId: string

      before(async () => {
        const row = await db.user.findUniqueOrThrow({ where: { username: 'admin' } })
        admin = { id: row.id, username: row.username, displayName: row.displayName, role: 'admin' }
      })

      it('createUser writes the user and a user-created event naming the actor', async () => {
        const head = await auditCount()
        const dto = await m.users.createUser(
          db,
          { username: 'tess', displayName: 'Tess Tester', role: 'researcher', password: 'correct horse battery' },
          admin,
          '198.51.100.4',
        )
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
        await assertAppError(
          m.users.createUser(db, { username: 'tess', displayName: 'Another Tess', role: 'admin', password: 'another long password' }, admin),
          'conflict:users',
        )
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
        assert.deepEqual(events.map((event) => event.seq), [head + 1, head + 2])
        assert.deepEqual(events.map((event) => event.eventType), ['user-disabled', 'user-enabled'])
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
        assert.deepEqual(events.map((event) => [event.seq, event.eventType]), [
          [head + 1, 'role-changed'],
          [head + 2, 'user-disabled'],
        ])
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

    definePacsSuite(() => ({ db, admin, withAuditInsertsFailing, assertAppError }))

    describe('audit log', () => {
      it('20 concurrent appends produce a contiguous chain that verifies', async () => {
        const head = await auditCount()
        const seqs = await Promise.all(
          Array.from({ length: 20 }, (_, index) =>
            m.append.recordAudit(db, { type: 'access-denied', resource: `/api/probe/${index}`, method: 'GET' }, { actor: null, sourceIp: '192.0.2.20' }),
          ),
        )
        assert.deepEqual([...seqs].sort((a, b) => a - b), Array.from({ length: 20 }, (_, index) => head + 1 + index))
        const events = await db.auditEvent.findMany({ where: { seq: { gt: head } }, orderBy: { seq: 'asc' } })
        assert.equal(events.length, 20)
        assert.deepEqual(
          events.map((event) => JSON.parse(event.entities)[0].id).sort(),
          Array.from({ length: 20 }, (_, index) => `/api/probe/${index}`).sort(),
        )
        const verdict = await m.verify.verifyAuditChain(db)
        assert.ok(verdict.ok, JSON.stringify(verdict))
        assert.equal(verdict.headSeq, head + 20)
        assert.equal(verdict.count, head + 20)
      })

      it('verifies across page boundaries', async () => {
        const whole = await m.verify.verifyAuditChain(db)
        const paged = await m.verify.verifyAuditChain(db, 3)
        assert.ok(whole.ok)
        assert.deepEqual(paged, whole)
      })

      it('the database refuses UPDATE on AuditEvent', async () => {
        const original = await auditRow(2)
        await assert.rejects(
          db.$executeRawUnsafe(`UPDATE "AuditEvent" SET "details" = '{"username":"mallory"}' WHERE "seq" = 2`),
          /append-only: UPDATE refused/,
        )
        await assert.rejects(db.auditEvent.update({ where: { seq: 2 }, data: { actorName: 'mallory' } }), /append-only: UPDATE refused/)
        assert.deepEqual(await auditRow(2), original)
      })

      it('the database refuses DELETE on AuditEvent', async () => {
        const count = await auditCount()
        await assert.rejects(db.$executeRawUnsafe(`DELETE FROM "AuditEvent" WHERE "seq" = 3`), /append-only: DELETE refused/)
        await assert.rejects(db.$executeRawUnsafe(`DELETE FROM "AuditEvent"`), /append-only: DELETE refused/)
        await assert.rejects(db.auditEvent.deleteMany({}), /append-only: DELETE refused/)
        assert.equal(await auditCount(), count)
      })

      if (provider === 'postgresql') {
        it('the database refuses TRUNCATE on AuditEvent', async () => {
          const count = await auditCount()
          await assert.rejects(db.$executeRawUnsafe(`TRUNCATE "AuditEvent"`), /append-only: TRUNCATE refused/)
          assert.equal(await auditCount(), count)
        })
      }

      it('audit:verify exits 0 and prints OK on an intact chain', async () => {
        const count = await auditCount()
        const result = await runAuditVerifyCli(url)
        assert.equal(result.code, 0, result.stderr)
        assert.match(result.stdout, new RegExp(`^OK: ${count} audit events, chain intact \\(head seq ${count}, `))
      })

      it('an event edited behind the app is named with hash-mismatch, by the library and by audit:verify', async () => {
        const seq = 5
        const original = await auditRow(seq)
        await withGuardsLifted(async () => {
          await db.$executeRawUnsafe(`UPDATE "AuditEvent" SET "details" = '{"role":"admin","username":"tess"}' WHERE "seq" = ${seq}`)
        })
        assert.notEqual((await auditRow(seq)).details, original.details)

        const verdict = await m.verify.verifyAuditChain(db)
        assert.ok(!verdict.ok)
        assert.equal(verdict.firstBadSeq, seq)
        assert.equal(verdict.problem, 'hash-mismatch')

        const result = await runAuditVerifyCli(url)
        assert.equal(result.code, 1)
        assert.match(result.stderr, new RegExp(`FAILED at seq ${seq}: .*\\(hash-mismatch\\)`))

        // Put the original text back: the chain verifies again, so that edit alone broke it.
        await withGuardsLifted(async () => {
          await db.auditEvent.update({ where: { seq }, data: { details: original.details } })
        })
        assert.ok((await m.verify.verifyAuditChain(db)).ok)
      })

      it('the guards are back in force after tampering', async () => {
        await assert.rejects(db.$executeRawUnsafe(`UPDATE "AuditEvent" SET "outcome" = 12 WHERE "seq" = 1`), /append-only: UPDATE refused/)
        await assert.rejects(db.$executeRawUnsafe(`DELETE FROM "AuditEvent" WHERE "seq" = 1`), /append-only: DELETE refused/)
      })

      it('signs checkpoints over the events so far; the chain and every checkpoint verify (library and CLI)', async () => {
        const written = await m.checkpoints.createAuditCheckpoints(db)
        assert.ok(written.length >= 1)
        assert.equal(written.at(-1)!.toSeq, await auditCount())
        assert.deepEqual(await m.checkpoints.createAuditCheckpoints(db), [], 'nothing new to sign')
        const verdict = await m.checkpoints.verifyAuditTrail(db)
        assert.ok(verdict.ok && verdict.checkpoints === written.length, JSON.stringify(verdict))
        const cli = await runAuditVerifyCli(url)
        assert.equal(cli.code, 0, cli.stderr)
        assert.match(cli.stdout, new RegExp(`, ${written.length} signed checkpoint\\(s\\) verified`))
      })

      it('the database refuses UPDATE and DELETE on checkpoints', async () => {
        await assert.rejects(db.$executeRawUnsafe(`UPDATE "AuditCheckpoint" SET "rootHash" = 'x'`), /AuditCheckpoint is append-only: UPDATE refused/)
        await assert.rejects(db.$executeRawUnsafe(`DELETE FROM "AuditCheckpoint"`), /AuditCheckpoint is append-only: DELETE refused/)
      })

      it('events reordered behind the app are named at the first moved seq', async () => {
        const [a, b] = [await auditRow(3), await auditRow(4)]
        const swap = async (first: number, second: number) =>
          withGuardsLifted(async () => {
            await db.$executeRawUnsafe(`UPDATE "AuditEvent" SET "seq" = -1 WHERE "seq" = ${first}`)
            await db.$executeRawUnsafe(`UPDATE "AuditEvent" SET "seq" = ${first} WHERE "seq" = ${second}`)
            await db.$executeRawUnsafe(`UPDATE "AuditEvent" SET "seq" = ${second} WHERE "seq" = -1`)
          })
        await swap(3, 4)
        assert.equal((await auditRow(3)).hash, b.hash)
        const verdict = await m.checkpoints.verifyAuditTrail(db)
        assert.ok(!verdict.ok)
        assert.equal(verdict.firstBadSeq, 3)
        await swap(3, 4)
        assert.equal((await auditRow(3)).hash, a.hash)
        assert.ok((await m.checkpoints.verifyAuditTrail(db)).ok)
      })

      it('a trail truncated after a checkpoint is detected, though the shorter chain is itself intact', async () => {
        for (let index = 0; index < 3; index++) {
          await m.append.recordAudit(db, { type: 'access-denied', resource: `/api/truncate/${index}`, method: 'GET' }, { actor: null, sourceIp: '192.0.2.30' })
        }
        await m.checkpoints.createAuditCheckpoints(db)
        const head = await auditCount()
        const removed = await db.auditEvent.findMany({ where: { seq: { gt: head - 2 } }, orderBy: { seq: 'asc' } })
        await withGuardsLifted(async () => {
          await db.$executeRawUnsafe(`DELETE FROM "AuditEvent" WHERE "seq" > ${head - 2}`)
        })
        assert.ok((await m.verify.verifyAuditChain(db)).ok, 'the chain alone cannot tell')
        const verdict = await m.checkpoints.verifyAuditTrail(db)
        assert.ok(!verdict.ok)
        assert.equal(verdict.problem, 'truncated')
        assert.equal(verdict.firstBadSeq, head - 1)
        const cli = await runAuditVerifyCli(url)
        assert.equal(cli.code, 1)
        assert.match(cli.stderr, new RegExp(`FAILED at seq ${head - 1}: .*\\(truncated\\)`))
        // Put the events back: the trail verifies again.
        await db.auditEvent.createMany({ data: removed })
        assert.ok((await m.checkpoints.verifyAuditTrail(db)).ok)
      })

      it('an event deleted behind the app is named as the missing seq', async () => {
        const seq = 7
        const count = await auditCount()
        assert.ok(count > seq + 1, 'needs events after the deleted one')
        await withGuardsLifted(async () => {
          await db.$executeRawUnsafe(`DELETE FROM "AuditEvent" WHERE "seq" = ${seq}`)
        })
        assert.equal(await auditCount(), count - 1)

        const verdict = await m.verify.verifyAuditChain(db)
        assert.ok(!verdict.ok)
        assert.equal(verdict.firstBadSeq, seq)
        assert.equal(verdict.problem, 'seq-gap')
        assert.match(verdict.message, new RegExp(`expected event ${seq}, found ${seq + 1}`))
      })
    })

    describe('login throttling', () => {
      const windowMs = 15 * 60 * 1000

      it('uses the documented policy: 5 per account, 30 per address, in 15 minutes', () => {
        assert.deepEqual(m.throttle.throttlePolicy, { windowMs, maxFailuresPerAccount: 5, maxFailuresPerAddress: 30 })
      })

      it('throttles an account after 5 failures, from any address, but not other accounts from that address', async () => {
        const address = '203.0.113.10'
        for (let attempt = 1; attempt <= 4; attempt++) await m.throttle.recordLoginFailure(db, 'victim', address)
        assert.deepEqual(await m.throttle.checkLoginThrottle(db, 'victim', address), { throttled: false })

        await m.throttle.recordLoginFailure(db, 'Victim ', address) // same account, however typed
        const verdict = await m.throttle.checkLoginThrottle(db, 'victim', address)
        assert.ok(verdict.throttled)
        assert.equal(verdict.scope, 'account')
        assert.ok(verdict.retryAfterSeconds > 0 && verdict.retryAfterSeconds <= windowMs / 1000, String(verdict.retryAfterSeconds))

        assert.equal((await m.throttle.checkLoginThrottle(db, 'VICTIM', '198.51.100.99')).throttled, true, 'account lock holds from anywhere')
        assert.deepEqual(await m.throttle.checkLoginThrottle(db, 'bystander', address), { throttled: false })
      })

      it('expires after the window', async () => {
        const later = new Date(Date.now() + windowMs + 1000)
        assert.deepEqual(await m.throttle.checkLoginThrottle(db, 'victim', '203.0.113.10', later), { throttled: false })
      })

      it('clearAccountFailures lifts the account lock', async () => {
        await m.throttle.clearAccountFailures(db, 'VICTIM')
        assert.deepEqual(await m.throttle.checkLoginThrottle(db, 'victim', '198.51.100.99'), { throttled: false })
      })

      it('throttles an address after 30 failures across accounts, for every account, and only that address', async () => {
        const address = '203.0.113.30'
        // 29 failures spread over accounts, none reaching the account limit.
        for (let index = 0; index < 29; index++) await m.throttle.recordLoginFailure(db, `guess-${index % 10}`, address)
        assert.deepEqual(await m.throttle.checkLoginThrottle(db, 'fresh-account', address), { throttled: false })

        await m.throttle.recordLoginFailure(db, 'guess-last', address)
        const verdict = await m.throttle.checkLoginThrottle(db, 'fresh-account', address)
        assert.ok(verdict.throttled)
        assert.equal(verdict.scope, 'address')
        assert.deepEqual(await m.throttle.checkLoginThrottle(db, 'fresh-account', '203.0.113.31'), { throttled: false })
      })
    })
  })
}
