// The data-layer contract, run once per database (tests/data/sqlite.test.ts,
// tests/data/postgres.test.ts): migrations, demo seeding, audited user changes, the
// append-only hash-chained audit log, tamper detection (library and CLI), login
// throttling, PACS server configuration (pacs-suite.ts) and second reads (findings, signed
// and amended reads, their audit events and the database's immutability guards). Tests run
// in order and share one database; each asserts relative to the state the ones before it left.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtempSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Db, Database, Tx } from '../../lib/db/client.server'
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
    // The reads services (queries, finding changes, signing) under one name.
    reads: {
      ...(await import('../../lib/findings/read-rows.server')),
      ...(await import('../../lib/findings/reads.server')),
      ...(await import('../../lib/findings/finding-changes.server')),
      ...(await import('../../lib/findings/signing.server')),
    },
    signedContent: await import('../../lib/findings/signed-content'),
    agreement: await import('../../lib/findings/agreement.server'),
    identifiers: await import('../../lib/audit/identifiers.server'),
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

    /** Thrown to roll back a transaction that the database should have refused. */
    const acceptedAndRolledBack = new Error('the database accepted it (rolled back)')

    /**
     * Asserts that the database itself refused `run` with a message matching `pattern`.
     * Matched against the database's own message, never the Prisma error's text: that
     * quotes the calling source lines, patterns included, so a regex would always match
     * it. SQLite's adapter reports a trigger abort as a foreign-key violation and keeps the
     * trigger's message in the driver error's cause; raw queries keep it in meta.message.
     */
    async function assertRefusedByDatabase(what: string, run: () => Promise<unknown>, pattern: RegExp): Promise<void> {
      let error: unknown
      try {
        await run()
      } catch (caught) {
        error = caught
      }
      assert.ok(error && error !== acceptedAndRolledBack, `${what}: the database accepted it`)
      const meta = (error as { meta?: { message?: unknown; driverAdapterError?: { cause?: { originalMessage?: unknown } } } }).meta
      const message = [meta?.driverAdapterError?.cause?.originalMessage, meta?.message].find((candidate) => typeof candidate === 'string')
      assert.ok(typeof message === 'string', `${what}: no database message in ${String(error)} ${JSON.stringify(meta)}`)
      assert.match(message, pattern, what)
    }

    /** Like assertRefusedByDatabase, but a statement the database accepts is rolled back. */
    async function assertRefusedInTransaction(what: string, run: (tx: Tx) => Promise<unknown>, pattern: RegExp) {
      await assertRefusedByDatabase(
        what,
        () =>
          db.$transaction(async (tx) => {
            await run(tx)
            throw acceptedAndRolledBack
          }),
        pattern,
      )
    }

    before(async () => {
      url = await getUrl()
      process.env.DATABASE_URL = url
      // The checkpoint signing key, outside the database, as in production.
      process.env.PARALLAX_AUDIT_KEY_FILE = path.join(mkdtempSync(path.join(tmpdir(), 'parallax-audit-key-')), 'key.pem')
      // The identifier salt (hashed study UIDs in the audit trail), also outside the database.
      process.env.PARALLAX_SECRETS_FILE = path.join(mkdtempSync(path.join(tmpdir(), 'parallax-secrets-')), 'secrets.json')
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

    describe('second reads', () => {
      type Reads = typeof m.reads
      type ReadDto = Awaited<ReturnType<Reads['getRead']>>
      type FindingLocation = ReadDto['findings'][number]['location']
      type StudyReference = ReadDto['study']

      let radiologist: SessionUser
      let colleague: SessionUser
      let researcher: SessionUser
      let auditor: SessionUser
      const ip = '198.51.100.7'

      const study: StudyReference = {
        studyInstanceUid: '1.2.826.0.1.3680043.8.498.10001',
        studyDescription: 'CT CHEST W/O CONTRAST',
        studyDate: '20260412',
        accessionNumber: 'ACC-10001',
        modality: 'CT',
        source: 'demo',
        sourceRef: 'lung-ct',
      }
      const otherStudy: StudyReference = { ...study, studyInstanceUid: '1.2.826.0.1.3680043.8.498.10002', accessionNumber: 'ACC-10002' }
      const studyNumbered = (number: number): StudyReference => ({ ...study, studyInstanceUid: `1.2.826.0.1.3680043.8.498.${number}`, accessionNumber: `ACC-${number}` })
      const model = { id: 'lesion-seg-2d', version: '1.2.0', sha256: 'ab'.repeat(32) }
      const series = '1.2.826.0.1.3680043.8.498.10001.1'
      const at = (kind: FindingLocation['kind'], sliceIndex: number, points: [number, number, number][]): FindingLocation => ({
        kind,
        seriesInstanceUid: series,
        sopInstanceUid: `${series}.${sliceIndex + 1}`,
        frameOfReferenceUid: '1.2.826.0.1.3680043.8.498.10001.9',
        sliceIndex,
        points,
      })
      const box = at('bbox', 41, [
        [-52.5, 10.25, -120],
        [-40.5, 10.25, -120],
        [-40.5, 22.25, -120],
        [-52.5, 22.25, -120],
      ])
      const contour = at('polyline', 57, [
        [30, -5, -150],
        [36.5, -5, -150],
        [36.5, 2, -150],
      ])
      const point = at('point', 63, [[12.75, 40, -172.5]])
      const line = at('polyline', 70, [
        [-20, 30, -190],
        [-11, 30, -190],
      ])
      const newBox = at('bbox', 42, [
        [-51, 11, -121.5],
        [-41, 11, -121.5],
        [-41, 21, -121.5],
        [-51, 21, -121.5],
      ])

      /** The read as first signed (reread from the database to compare with later). */
      let signed: ReadDto
      let openRead: ReadDto
      let amendment: ReadDto
      let headBeforeProposals: number

      const auditSince = (seq: number) => db.auditEvent.findMany({ where: { seq: { gt: seq } }, orderBy: { seq: 'asc' } })
      const findingIds = (read: ReadDto) => read.findings.map((finding) => finding.id)
      const rowOf = (id: string) =>
        db.read.findUniqueOrThrow({
          where: { id },
          include: { findings: { orderBy: { ordinal: 'asc' } }, signature: true, amendedBy: { select: { id: true } } },
        })

      before(async () => {
        const session = async (username: string): Promise<SessionUser> => {
          const row = await db.user.findUniqueOrThrow({ where: { username } })
          return { id: row.id, username: row.username, displayName: row.displayName, role: row.role as SessionUser['role'] }
        }
        radiologist = await session('radiologist')
        researcher = await session('researcher')
        auditor = await session('auditor')
        await m.users.createUser(db, { username: 'colleague', displayName: 'Dr. Col League', role: 'radiologist', password: 'another radiologist password' }, admin)
        colleague = await session('colleague')
        assert.equal(radiologist.role, 'radiologist')
        assert.equal(researcher.role, 'researcher')
        assert.equal(auditor.role, 'auditor')
      })

      it('openReadFor opens one clinical read per study and radiologist, and gives it back on the next call', async () => {
        const head = (await db.auditEvent.findFirst({ orderBy: { seq: 'desc' }, select: { seq: true } }))?.seq ?? 0
        const read = await m.reads.openReadFor(db, radiologist, ip, study)
        assert.equal(read.purpose, 'clinical')
        assert.equal(read.status, 'open')
        assert.equal(read.version, 1)
        assert.equal(read.amendsId, null)
        assert.equal(read.amendedById, null)
        assert.deepEqual(read.study, study)
        assert.deepEqual(read.reader, { id: radiologist.id, name: 'Dr. Rada Reader' })
        assert.deepEqual(read.findings, [])
        assert.equal(read.signature, null)
        assert.deepEqual(await m.reads.openReadFor(db, radiologist, ip, study), read)
        const opened = await auditSince(head)
        assert.deepEqual(opened.map((event) => [event.eventType, event.eventCode, event.action]), [['read-opened', '110111', 'C']], 'audited once, when created')
        const [readEntity, studyEntity] = JSON.parse(opened[0]!.entities) as { id: string; type: string }[]
        assert.deepEqual(readEntity, { id: read.id, type: 'read' })
        assert.equal(studyEntity!.type, 'study')
        assert.notEqual(studyEntity!.id, study.studyInstanceUid, 'the study UID is stored hashed')
        assert.equal(await db.read.count({ where: { studyInstanceUid: study.studyInstanceUid } }), 1)
        // Another radiologist gets a read of their own.
        const theirs = await m.reads.openReadFor(db, colleague, ip, study)
        assert.notEqual(theirs.id, read.id)
        assert.equal(theirs.reader.id, colleague.id)
        // Only roles that read studies may open a read.
        await assertAppError(m.reads.openReadFor(db, admin, ip, study), 'forbidden:findings')
        await assertAppError(m.reads.openReadFor(db, auditor, ip, study), 'forbidden:findings')
        openRead = read
      })

      it('proposeFindings stores the AI findings as proposed, with the model and the AI original', async () => {
        headBeforeProposals = await auditCount()
        const read = await m.reads.proposeFindings(db, radiologist, ip, openRead.id, {
          model,
          executionProvider: 'webgpu',
          explanationMethod: 'grad-cam',
          findings: [
            { label: 'Lung nodule', location: box, measurementMm: 8, probability: 0.91 },
            { label: 'Mass', location: contour, measurementMm: 31.5, probability: 0.64 },
            { label: 'Calcified granuloma', location: point, measurementMm: null, probability: 0.42 },
          ],
        })
        assert.equal(read.id, openRead.id)
        assert.equal(read.status, 'open')
        assert.deepEqual(read.findings.map((finding) => [finding.ordinal, finding.origin, finding.status, finding.label]), [
          [1, 'ai', 'proposed', 'Lung nodule'],
          [2, 'ai', 'proposed', 'Mass'],
          [3, 'ai', 'proposed', 'Calcified granuloma'],
        ])
        const [first] = read.findings
        assert.deepEqual(first!.location, box)
        assert.equal(first!.measurementMm, 8)
        assert.equal(first!.probability, 0.91)
        assert.deepEqual(first!.model, model)
        assert.equal(first!.executionProvider, 'webgpu')
        assert.equal(first!.explanationMethod, 'grad-cam')
        assert.deepEqual(first!.ai, { label: 'Lung nodule', location: box, measurementMm: 8 })
        assert.deepEqual(read.findings[2]!.ai, { label: 'Calcified granuloma', location: point, measurementMm: null })
        for (const finding of read.findings) {
          assert.equal(finding.discordant, false)
          assert.equal(finding.decidedBy, null)
          assert.equal(finding.decidedAt, null)
          assert.equal(finding.rejectReason, null)
        }
        assert.equal(await auditCount(), headBeforeProposals + 4, "the model's result and its three findings")
        openRead = read
      })

      it('accept, modify, reject and add: statuses, the AI original kept, discordance', async () => {
        const [nodule, mass, granuloma] = findingIds(openRead)
        let read = await m.reads.decideFinding(db, radiologist, ip, openRead.id, nodule!, { action: 'accept' })
        assert.equal(read.findings[0]!.status, 'accepted')
        read = await m.reads.decideFinding(db, radiologist, ip, openRead.id, mass!, { action: 'modify', label: 'Lung nodule', measurementMm: 27.25 })
        read = await m.reads.decideFinding(db, radiologist, ip, openRead.id, granuloma!, {
          action: 'reject',
          reason: 'artifact',
          note: 'Beam hardening from the port catheter.',
        })
        read = await m.reads.addReaderFinding(db, radiologist, ip, openRead.id, { label: 'Atelectasis', location: line, measurementMm: 9.5, note: 'Missed by the model.' })

        assert.deepEqual(read.findings.map((finding) => [finding.ordinal, finding.origin, finding.status, finding.label, finding.discordant]), [
          [1, 'ai', 'accepted', 'Lung nodule', false],
          [2, 'ai', 'modified', 'Lung nodule', false],
          [3, 'ai', 'rejected', 'Calcified granuloma', true],
          [4, 'reader', 'added', 'Atelectasis', true],
        ])
        const [accepted, modified, rejected, added] = read.findings
        assert.equal(accepted!.measurementMm, 8)
        assert.equal(modified!.measurementMm, 27.25)
        assert.deepEqual(modified!.location, contour)
        assert.deepEqual(modified!.ai, { label: 'Mass', location: contour, measurementMm: 31.5 }, "the AI's original is kept")
        assert.equal(modified!.probability, 0.64)
        assert.equal(rejected!.rejectReason, 'artifact')
        assert.equal(rejected!.note, 'Beam hardening from the port catheter.')
        assert.equal(added!.model, null)
        assert.equal(added!.ai, null)
        assert.equal(added!.probability, null)
        assert.deepEqual(added!.location, line)
        assert.equal(added!.measurementMm, 9.5)
        assert.equal(added!.note, 'Missed by the model.')
        for (const finding of read.findings) {
          assert.equal(finding.decidedBy, 'Dr. Rada Reader')
          assert.ok(finding.decidedAt && !Number.isNaN(Date.parse(finding.decidedAt)))
        }
        assert.deepEqual(await m.reads.getRead(db, radiologist, openRead.id), read)
        openRead = read
      })

      it('audits every proposal and decision, in order, as 110111 events naming the finding and the read', async () => {
        const [result, ...events] = await auditSince(headBeforeProposals)
        const ids = findingIds(openRead)
        // The model's result on the read comes first: its model, bytes and how many findings.
        assert.deepEqual([result!.eventType, result!.eventCode, result!.action], ['model-result-recorded', '110111', 'C'])
        assert.deepEqual(JSON.parse(result!.details), { readVersion: 1, modelVersion: model.version, modelSha256: model.sha256, executionProvider: 'webgpu', findingCount: 3 })
        assert.deepEqual(
          events.map((event) => [event.eventType, event.eventCode, event.eventTypeCode, event.action, event.outcome]),
          [
            ['finding-proposed', '110111', null, 'C', 0],
            ['finding-proposed', '110111', null, 'C', 0],
            ['finding-proposed', '110111', null, 'C', 0],
            ['finding-accepted', '110111', null, 'U', 0],
            ['finding-modified', '110111', null, 'U', 0],
            ['finding-rejected', '110111', null, 'U', 0],
            ['finding-added', '110111', null, 'C', 0],
          ],
        )
        const studyHash = m.identifiers.hashIdentifier(study.studyInstanceUid)
        assert.match(studyHash, /^[0-9a-f]{64}$/)
        const findingOf = [ids[0], ids[1], ids[2], ids[0], ids[1], ids[2], ids[3]]
        for (const [index, event] of events.entries()) {
          assert.equal(event.actorId, radiologist.id)
          assert.equal(event.actorName, 'radiologist')
          assert.equal(event.actorRole, 'radiologist')
          assert.equal(event.sourceIp, ip)
          const ai = event.eventType !== 'finding-added'
          assert.deepEqual(JSON.parse(event.entities), [
            { type: 'finding', id: findingOf[index] },
            { type: 'read', id: openRead.id },
            { type: 'study', id: studyHash },
            ...(ai ? [{ type: 'model', id: model.id }] : []),
          ])
          assert.ok(!event.entities.includes(study.studyInstanceUid) && !event.details.includes(study.studyInstanceUid), 'the study UID is hashed')
        }
        const details = events.map((event) => JSON.parse(event.details))
        assert.deepEqual(details[0], {
          readVersion: 1,
          label: 'Lung nodule',
          origin: 'ai',
          modelVersion: model.version,
          modelSha256: model.sha256,
          probability: 0.91,
          executionProvider: 'webgpu',
          explanationMethod: 'grad-cam',
        })
        assert.deepEqual(details[3], { readVersion: 1, label: 'Lung nodule', origin: 'ai', decision: 'accepted' })
        assert.deepEqual(details[4], { readVersion: 1, label: 'Lung nodule', origin: 'ai', decision: 'modified', changed: 'label,measurementMm', from: 'Mass, 31.5 mm' })
        assert.deepEqual(details[5], {
          readVersion: 1,
          label: 'Calcified granuloma',
          origin: 'ai',
          decision: 'rejected',
          reason: 'artifact',
          note: 'Beam hardening from the port catheter.',
        })
        assert.deepEqual(details[6], { readVersion: 1, label: 'Atelectasis', origin: 'reader', decision: 'added' })
      })

      it('only the reader changes an open read; other roles do not see it', async () => {
        const head = await auditCount()
        const [nodule] = findingIds(openRead)
        await assertAppError(m.reads.decideFinding(db, colleague, ip, openRead.id, nodule!, { action: 'reject', reason: 'false-positive', note: null }), 'forbidden:findings')
        await assertAppError(m.reads.addReaderFinding(db, colleague, ip, openRead.id, { label: 'Mass', location: box, measurementMm: null, note: null }), 'forbidden:findings')
        await assertAppError(m.reads.decideFinding(db, researcher, ip, openRead.id, nodule!, { action: 'accept' }), 'not_found:findings')
        await assertAppError(m.reads.getRead(db, researcher, openRead.id), 'not_found:findings')
        await assertAppError(m.reads.decideFinding(db, radiologist, ip, openRead.id, 'no-such-finding', { action: 'accept' }), 'not_found:findings')
        await assertAppError(m.reads.decideFinding(db, radiologist, ip, openRead.id, openRead.findings[3]!.id, { action: 'accept' }), 'bad_request:findings')
        await assertAppError(m.reads.decideFinding(db, radiologist, ip, openRead.id, nodule!, { action: 'modify', label: 'Lung nodule' }), 'bad_request:findings')
        assert.deepEqual((await m.reads.getRead(db, auditor, openRead.id)).findings, openRead.findings, 'auditors see every read')
        assert.equal(await auditCount(), head)
        assert.deepEqual(await m.reads.getRead(db, radiologist, openRead.id), openRead)
      })

      it('signRefusal: pending AI findings, another reader, or a research read cannot be signed', async () => {
        const pending = await m.reads.proposeFindings(db, radiologist, ip, (await m.reads.openReadFor(db, radiologist, ip, otherStudy)).id, {
          model,
          executionProvider: 'wasm',
          explanationMethod: null,
          findings: [{ label: 'Consolidation', location: at('slice', 12, []), measurementMm: null, probability: 0.55 }],
        })
        assert.equal(m.reads.signRefusal(pending, radiologist), 'pending-findings')
        const head = await auditCount()
        await assertAppError(m.reads.signRead(db, ip, pending.id, { meaning: 'approval', signer: radiologist }), 'conflict:findings')
        assert.equal(await auditCount(), head)
        assert.equal(await db.readSignature.count({ where: { readId: pending.id } }), 0)
        assert.deepEqual(await m.reads.getRead(db, radiologist, pending.id), pending)

        // A researcher has no clinical reads: theirs are research reads, which nobody signs.
        assert.equal(m.reads.purposeForRole('researcher'), 'research')
        const research = await m.reads.openReadFor(db, researcher, ip, study)
        assert.equal(await auditCount(), head + 1, 'opening a read is audited')
        assert.equal(research.purpose, 'research')
        assert.equal(research.status, 'open')
        assert.equal(m.reads.signRefusal(research, researcher), 'not-reader')
        assert.equal(m.reads.signRefusal(openRead, researcher), 'not-reader')
        assert.equal(m.reads.signRefusal(openRead, colleague), 'not-reader')
        assert.equal(m.reads.signRefusal(openRead, radiologist), null)
        await assertAppError(m.reads.signRead(db, ip, openRead.id, { meaning: 'approval', signer: colleague }), 'forbidden:findings')
        await assertAppError(m.reads.signRead(db, ip, research.id, { meaning: 'approval', signer: researcher }), 'forbidden:findings')
        assert.equal(await auditCount(), head + 1, "refusals inside the service write nothing")
        await assertAppError(m.reads.getRead(db, radiologist, research.id), 'not_found:findings')

        // The route records a refusal: read-sign-refused, outcome 4 (serious failure).
        await m.reads.recordSignRefusal(db, colleague, ip, openRead, 'not-reader')
        const [event] = await lastAudit()
        assert.equal(event!.eventType, 'read-sign-refused')
        assert.equal(event!.eventCode, '110111')
        assert.equal(event!.action, 'U')
        assert.equal(event!.outcome, 4)
        assert.equal(event!.actorId, colleague.id)
        assert.deepEqual(JSON.parse(event!.entities), [
          { type: 'read', id: openRead.id },
          { type: 'study', id: m.identifiers.hashIdentifier(study.studyInstanceUid) },
        ])
        assert.deepEqual(JSON.parse(event!.details), { readVersion: 1, reason: 'not-reader' })
        assert.equal((await m.reads.getRead(db, radiologist, openRead.id)).status, 'open')
      })

      it('signRead signs: status signed, a manifest with the printed name and a valid content hash, audited as read-signed', async () => {
        const head = await auditCount()
        const before = Date.now()
        const read = await m.reads.signRead(db, ip, openRead.id, { meaning: 'approval', signer: radiologist })
        assert.equal(read.status, 'signed')
        assert.deepEqual(read.findings, openRead.findings, 'signing changes no finding')
        const signature = read.signature!
        assert.ok(signature)
        assert.equal(signature.signerId, radiologist.id)
        assert.equal(signature.printedName, 'Dr. Rada Reader')
        assert.equal(signature.printedName, radiologist.displayName)
        assert.equal(signature.meaning, 'approval')
        const signedAt = Date.parse(signature.signedAt)
        assert.ok(signedAt >= before - 1000 && signedAt <= Date.now() + 1000, signature.signedAt)
        assert.match(signature.contentHash, /^[0-9a-f]{64}$/)
        assert.equal(signature.valid, true)
        const { contentHash: _hash, valid: _valid, ...manifest } = signature
        assert.equal(m.signedContent.signedContentHash(read, manifest), signature.contentHash)
        assert.equal((await db.read.findUniqueOrThrow({ where: { id: read.id } })).openKey, null, 'no longer the open read')

        const events = await auditSince(head)
        assert.deepEqual(events.map((event) => event.eventType), ['read-signed'])
        const [event] = events
        assert.equal(event!.eventCode, '110111')
        assert.equal(event!.action, 'U')
        assert.equal(event!.outcome, 0)
        assert.equal(event!.actorId, radiologist.id)
        assert.deepEqual(JSON.parse(event!.entities), [
          { type: 'read', id: read.id },
          { type: 'study', id: m.identifiers.hashIdentifier(study.studyInstanceUid) },
        ])
        assert.deepEqual(JSON.parse(event!.details), { readVersion: 1, meaning: 'approval', contentHash: signature.contentHash, findingCount: 3 })

        signed = await m.reads.getRead(db, radiologist, read.id)
        assert.deepEqual(signed, read)
        assert.equal(m.reads.signRefusal(signed, radiologist), 'not-open')
        await assertAppError(m.reads.signRead(db, ip, read.id, { meaning: 'review', signer: radiologist }), 'conflict:findings')
        assert.equal(await auditCount(), head + 1)
      })

      it('a signed read cannot be changed through the application (conflict)', async () => {
        const head = await auditCount()
        const [nodule, mass, granuloma, added] = findingIds(signed)
        // Run one at a time: each is an async call that starts on creation.
        const refusals: (() => Promise<unknown>)[] = [
          () => m.reads.decideFinding(db, radiologist, ip, signed.id, nodule!, { action: 'reject', reason: 'false-positive', note: null }),
          () => m.reads.decideFinding(db, radiologist, ip, signed.id, mass!, { action: 'accept' }),
          () => m.reads.decideFinding(db, radiologist, ip, signed.id, granuloma!, { action: 'accept' }),
          () => m.reads.decideFinding(db, radiologist, ip, signed.id, added!, { action: 'modify', label: 'Other', location: newBox }),
          () => m.reads.addReaderFinding(db, radiologist, ip, signed.id, { label: 'Mass', location: newBox, measurementMm: 12, note: null }),
          () => m.reads.proposeFindings(db, radiologist, ip, signed.id, {
            model,
            executionProvider: 'webgpu',
            explanationMethod: null,
            findings: [{ label: 'Mass', location: newBox, measurementMm: 12, probability: 0.99 }],
          }),
        ]
        for (const refusal of refusals) {
          await assert.rejects(refusal(), (error: unknown) => {
            assert.ok(error instanceof m.errors.AppError, `expected an AppError, got ${String(error)}`)
            assert.equal(error.kind, 'conflict')
            assert.equal(error.code, 'conflict:findings')
            return true
          })
        }
        assert.equal(await auditCount(), head)
        assert.deepEqual(await m.reads.getRead(db, radiologist, signed.id), signed)
      })

      it('the database refuses to change a signed read, its findings or its signature, and to delete any of them', async () => {
        const [nodule, , granuloma] = findingIds(signed)
        const rowBefore = await rowOf(signed.id)
        const signatureId = rowBefore.signature!.id
        const refusals: [string, () => Promise<unknown>, RegExp][] = [
          ['finding.update', () => db.finding.update({ where: { id: granuloma! }, data: { status: 'accepted', rejectReason: null } }), /Finding belongs to a signed read: UPDATE refused/],
          ['finding.updateMany', () => db.finding.updateMany({ where: { readId: signed.id }, data: { label: 'Other' } }), /Finding belongs to a signed read: UPDATE refused/],
          ['read.update', () => db.read.update({ where: { id: signed.id }, data: { status: 'open', openKey: `${study.studyInstanceUid}|x|clinical` } }), /Read is signed: UPDATE refused/],
          ['read.update (reader)', () => db.read.update({ where: { id: signed.id }, data: { readerName: 'Mallory' } }), /Read is signed: UPDATE refused/],
          ['readSignature.update', () => db.readSignature.update({ where: { id: signatureId }, data: { printedName: 'Mallory' } }), /ReadSignature is append-only: UPDATE refused/],
          ['readSignature.delete', () => db.readSignature.delete({ where: { id: signatureId } }), /ReadSignature is append-only: DELETE refused/],
          ['finding.delete', () => db.finding.delete({ where: { id: nodule! } }), /Finding records are kept: DELETE refused/],
          ['finding.deleteMany', () => db.finding.deleteMany({ where: { readId: signed.id } }), /Finding records are kept: DELETE refused/],
          ['read.delete', () => db.read.delete({ where: { id: signed.id } }), /Read records are kept: DELETE refused/],
          [
            'finding.create',
            () => db.finding.create({ data: { readId: signed.id, ordinal: 99, origin: 'reader', status: 'added', label: 'Mass', location: JSON.stringify(newBox) } }),
            /Read is signed: new findings refused|Finding belongs to a signed read: INSERT refused/,
          ],
          ['raw UPDATE "Finding"', () => db.$executeRawUnsafe(`UPDATE "Finding" SET "label" = 'Other' WHERE "readId" = '${signed.id}'`), /Finding belongs to a signed read: UPDATE refused/],
          ['raw UPDATE "Read"', () => db.$executeRawUnsafe(`UPDATE "Read" SET "status" = 'open' WHERE "id" = '${signed.id}'`), /Read is signed: UPDATE refused/],
          ['raw DELETE "ReadSignature"', () => db.$executeRawUnsafe(`DELETE FROM "ReadSignature" WHERE "readId" = '${signed.id}'`), /ReadSignature is append-only: DELETE refused/],
        ]
        for (const [what, run, pattern] of refusals) await assertRefusedByDatabase(what, run, pattern)
        assert.deepEqual(await rowOf(signed.id), rowBefore)
        assert.deepEqual(await m.reads.getRead(db, radiologist, signed.id), signed)
        assert.equal(signed.signature!.valid, true)
      })

      it('the database keeps open reads and their findings too (no DELETE)', async () => {
        const open = await m.reads.openReadFor(db, radiologist, ip, otherStudy)
        await assertRefusedByDatabase('finding.delete', () => db.finding.delete({ where: { id: open.findings[0]!.id } }), /Finding records are kept: DELETE refused/)
        await assertRefusedByDatabase('read.delete', () => db.read.delete({ where: { id: open.id } }), /Read records are kept: DELETE refused/)
        assert.deepEqual(await m.reads.getRead(db, radiologist, open.id), open)
      })

      it('amendRead makes version 2 with the same findings, linked to the original, which stays signed and valid', async () => {
        const head = await auditCount()
        const rowBefore = await rowOf(signed.id)
        amendment = await m.reads.amendRead(db, radiologist, ip, signed.id, 'Nodule size corrected after comparison with the prior.')
        assert.notEqual(amendment.id, signed.id)
        assert.equal(amendment.version, 2)
        assert.equal(amendment.amendsId, signed.id)
        assert.equal(amendment.amendedById, null)
        assert.equal(amendment.amendReason, 'Nodule size corrected after comparison with the prior.')
        assert.equal(amendment.status, 'open')
        assert.equal(amendment.signature, null)
        assert.equal(amendment.purpose, 'clinical')
        assert.deepEqual(amendment.study, signed.study)
        assert.deepEqual(amendment.reader, signed.reader)
        assert.equal(amendment.findings.length, signed.findings.length)
        for (const [index, copy] of amendment.findings.entries()) {
          const original = signed.findings[index]!
          assert.ok(!findingIds(signed).includes(copy.id), 'new finding ids')
          const { id: _copyId, ...copied } = copy
          const { id: _originalId, ...kept } = original
          assert.deepEqual(copied, kept)
        }
        assert.equal(await db.finding.count({ where: { readId: amendment.id } }), 4)

        // The original, reread: unchanged but for the link to its amendment.
        assert.deepEqual(await rowOf(signed.id), { ...rowBefore, amendedBy: { id: amendment.id } })
        const original = await m.reads.getRead(db, radiologist, signed.id)
        assert.equal(original.status, 'signed')
        assert.equal(original.amendedById, amendment.id)
        assert.equal(original.signature!.valid, true)
        assert.deepEqual(original, { ...signed, amendedById: amendment.id })
        assert.equal(m.reads.signRefusal(amendment, radiologist), null)

        const events = await auditSince(head)
        assert.deepEqual(events.map((event) => event.eventType), ['read-amended'])
        const [event] = events
        assert.equal(event!.eventCode, '110111')
        assert.equal(event!.action, 'C')
        assert.equal(event!.actorId, radiologist.id)
        assert.deepEqual(JSON.parse(event!.entities), [
          { type: 'read', id: amendment.id },
          { type: 'study', id: m.identifiers.hashIdentifier(study.studyInstanceUid) },
        ])
        assert.deepEqual(JSON.parse(event!.details), { readVersion: 2, amends: signed.id, reason: 'Nodule size corrected after comparison with the prior.' })

        // The amendment is the reader's open read of the study now.
        assert.deepEqual(await m.reads.openReadFor(db, radiologist, ip, study), amendment)
        assert.deepEqual(
          (await m.reads.readsOfStudy(db, radiologist, study.studyInstanceUid)).filter((read) => read.reader.id === radiologist.id).map((read) => [read.id, read.version]),
          [
            [amendment.id, 2],
            [signed.id, 1],
          ],
        )
      })

      it('refuses a second amendment of the same version, and amending an open read', async () => {
        const head = await auditCount()
        await assertAppError(m.reads.amendRead(db, radiologist, ip, signed.id, 'Once more.'), 'conflict:findings')
        await assertAppError(m.reads.amendRead(db, colleague, ip, signed.id, 'Once more.'), 'conflict:findings')
        await assertAppError(m.reads.amendRead(db, radiologist, ip, amendment.id, 'Not signed yet.'), 'conflict:findings')
        await assertAppError(m.reads.amendRead(db, researcher, ip, signed.id, 'Not mine to amend.'), 'not_found:findings')
        assert.equal(await auditCount(), head)
        assert.equal(await db.read.count({ where: { amendsId: signed.id } }), 1)
      })

      it('the amendment can be changed and signed; both versions keep valid signatures', async () => {
        const [nodule] = findingIds(amendment)
        let read = await m.reads.decideFinding(db, radiologist, ip, amendment.id, nodule!, { action: 'modify', measurementMm: 6.5, note: 'Remeasured.' })
        assert.deepEqual([read.findings[0]!.status, read.findings[0]!.measurementMm, read.findings[0]!.ai?.measurementMm], ['modified', 6.5, 8])
        read = await m.reads.signRead(db, ip, amendment.id, { meaning: 'responsibility', signer: radiologist })
        assert.equal(read.status, 'signed')
        assert.equal(read.version, 2)
        assert.equal(read.signature!.valid, true)
        assert.equal(read.signature!.meaning, 'responsibility')
        assert.notEqual(read.signature!.contentHash, signed.signature!.contentHash)
        assert.equal((await lastAudit())[0]!.eventType, 'read-signed')
        assert.deepEqual(JSON.parse((await lastAudit())[0]!.details), {
          readVersion: 2,
          meaning: 'responsibility',
          contentHash: read.signature!.contentHash,
          findingCount: 3,
        })
        const original = await m.reads.getRead(db, radiologist, signed.id)
        assert.deepEqual(original, { ...signed, amendedById: amendment.id })
        assert.equal(original.findings[0]!.measurementMm, 8, 'the original keeps its values')
        await assertRefusedByDatabase('finding.update', () => db.finding.update({ where: { id: nodule! }, data: { measurementMm: 7 } }), /Finding belongs to a signed read: UPDATE refused/)
        amendment = read
      })

      it('a signature no longer verifies when the content under it changes', async () => {
        const row = await rowOf(signed.id)
        assert.equal(m.reads.toReadDto(row).signature!.valid, true)
        const tampered = (change: (copy: typeof row) => void) => {
          const copy = structuredClone(row)
          change(copy)
          return m.reads.toReadDto(copy).signature!
        }
        const cases: [string, (copy: typeof row) => void][] = [
          ['a finding label', (copy) => void (copy.findings[0]!.label = 'Mass')],
          ['a finding status', (copy) => void (copy.findings[2]!.status = 'accepted')],
          ['a reject reason', (copy) => void (copy.findings[2]!.rejectReason = 'false-positive')],
          ['a measurement', (copy) => void (copy.findings[1]!.measurementMm = 27.5)],
          ['a location', (copy) => void (copy.findings[0]!.location = JSON.stringify(newBox))],
          ["the AI's original", (copy) => void (copy.findings[1]!.aiLabel = 'Lung nodule')],
          ['the model', (copy) => void (copy.findings[0]!.modelSha256 = 'cd'.repeat(32))],
          ['a finding removed', (copy) => void copy.findings.splice(2, 1)],
          ['the study', (copy) => void (copy.studyInstanceUid = otherStudy.studyInstanceUid)],
          ['the printed name', (copy) => void (copy.signature!.printedName = 'Mallory')],
          ['the meaning', (copy) => void (copy.signature!.meaning = 'review')],
          ['the signing time', (copy) => void (copy.signature!.signedAt = new Date(copy.signature!.signedAt.getTime() + 1000))],
        ]
        for (const [what, change] of cases) {
          const signature = tampered(change)
          assert.equal(signature.valid, false, what)
          assert.equal(signature.contentHash, signed.signature!.contentHash, 'the stored hash is what it was')
        }
        // The database still holds the untampered read.
        assert.equal((await m.reads.getRead(db, radiologist, signed.id)).signature!.valid, true)
      })

      it("worklist: the reader's own open reads with their pending count, no signed reads, each role its own kind", async () => {
        const pending = await m.reads.openReadFor(db, radiologist, ip, otherStudy)
        const research = await m.reads.openReadFor(db, researcher, ip, study)
        const colleagues = await m.reads.openReadFor(db, colleague, ip, study)

        const clinical = await m.reads.worklist(db, radiologist)
        assert.deepEqual(clinical.map((entry) => entry.readId), [pending.id])
        assert.deepEqual((await m.reads.worklist(db, colleague)).map((entry) => entry.readId), [colleagues.id], "a colleague's read is theirs to finish")
        const entry = clinical.find((candidate) => candidate.readId === pending.id)!
        assert.deepEqual(entry, {
          readId: pending.id,
          purpose: 'clinical',
          version: 1,
          study: otherStudy,
          reader: 'Dr. Rada Reader',
          createdAt: pending.createdAt,
          pending: 1,
          decided: 0,
          findings: 1,
        })
        for (const id of [signed.id, amendment.id]) assert.ok(!clinical.some((candidate) => candidate.readId === id), 'signed reads are done')
        assert.ok(clinical.every((candidate) => candidate.purpose === 'clinical'))
        assert.deepEqual(
          clinical.map((candidate) => candidate.createdAt),
          clinical.map((candidate) => candidate.createdAt).sort(),
          'oldest first',
        )

        // Deciding the pending finding moves it from pending to decided; signing takes it off.
        await m.reads.decideFinding(db, radiologist, ip, pending.id, pending.findings[0]!.id, { action: 'accept' })
        assert.deepEqual(
          (await m.reads.worklist(db, radiologist)).filter((candidate) => candidate.readId === pending.id).map((candidate) => [candidate.pending, candidate.decided]),
          [[0, 1]],
        )
        await m.reads.signRead(db, ip, pending.id, { meaning: 'review', signer: radiologist })
        assert.ok(!(await m.reads.worklist(db, radiologist)).some((candidate) => candidate.readId === pending.id))

        const researchList = await m.reads.worklist(db, researcher)
        assert.deepEqual(researchList.map((candidate) => [candidate.readId, candidate.purpose, candidate.reader]), [[research.id, 'research', 'Rhea Searcher']])
        assert.deepEqual(await m.reads.worklist(db, auditor), [])
        assert.deepEqual(await m.reads.worklist(db, admin), [])
      })

      it(
        'the database refuses to move a finding of an open read into a signed read',
        async () => {
          const target = await m.reads.addReaderFinding(db, radiologist, ip, (await m.reads.openReadFor(db, radiologist, ip, studyNumbered(30001))).id, {
            label: 'Mass',
            location: newBox,
            measurementMm: 14,
            note: null,
          })
          const sealed = await m.reads.signRead(db, ip, target.id, { meaning: 'approval', signer: radiologist })
          const source = await m.reads.addReaderFinding(db, radiologist, ip, (await m.reads.openReadFor(db, radiologist, ip, studyNumbered(30002))).id, {
            label: 'Other',
            location: point,
            measurementMm: null,
            note: 'Slipped into a signed read?',
          })
          await assertRefusedInTransaction(
            'finding.update (readId)',
            (tx) => tx.finding.update({ where: { id: source.findings[0]!.id }, data: { readId: sealed.id, ordinal: 2 } }),
            /signed/,
          )
          assert.deepEqual(await m.reads.getRead(db, radiologist, sealed.id), sealed)
        },
      )

      if (provider === 'postgresql') {
        it(
          'the database refuses TRUNCATE on Finding and Read',
          // Row triggers do not fire on TRUNCATE: statement triggers guard the tables.
          async () => {
            const findings = await db.finding.count()
            await assertRefusedInTransaction('TRUNCATE "Finding"', (tx) => tx.$executeRawUnsafe(`TRUNCATE "Finding"`), /TRUNCATE refused/)
            await assertRefusedInTransaction('TRUNCATE "Read" CASCADE', (tx) => tx.$executeRawUnsafe(`TRUNCATE "Read" CASCADE`), /TRUNCATE refused/)
            assert.equal(await db.finding.count(), findings)
          },
        )
      }

      it(
        'a read signed while a decision on it commits is signed over the stored content',
        // On PostgreSQL the read's row is locked (FOR UPDATE) before it is loaded; SQLite
        // serialises the transactions.
        async () => {
          const outcomes: string[] = []
          for (let index = 0; index < 8; index++) {
            const proposed = await m.reads.proposeFindings(db, radiologist, ip, (await m.reads.openReadFor(db, radiologist, ip, studyNumbered(31000 + index))).id, {
              model,
              executionProvider: 'wasm',
              explanationMethod: null,
              findings: [{ label: 'Lung nodule', location: box, measurementMm: 10, probability: 0.8 }],
            })
            const findingId = proposed.findings[0]!.id
            await m.reads.decideFinding(db, radiologist, ip, proposed.id, findingId, { action: 'accept' })
            const [signing, deciding] = await Promise.allSettled([
              m.reads.signRead(db, ip, proposed.id, { meaning: 'approval', signer: radiologist }),
              m.reads.decideFinding(db, radiologist, ip, proposed.id, findingId, { action: 'modify', measurementMm: 11 + index }),
            ])
            for (const result of [signing, deciding]) {
              if (result!.status === 'rejected') assert.ok(result!.reason instanceof m.errors.AppError && result!.reason.kind === 'conflict', String(result!.reason))
            }
            const read = await m.reads.getRead(db, radiologist, proposed.id)
            outcomes.push(`${signing!.status}/${deciding!.status}: ${read.status}, ${read.signature?.valid ?? 'unsigned'}`)
            if (read.signature) assert.equal(read.signature.valid, true, `signature invalid right after signing: ${outcomes.join('; ')}`)
          }
        },
      )

      it("a run that found nothing is the AI's negative call: recorded, audited and counted in the agreement", async () => {
        const negativeModel = { ...model, id: 'negative-call-model' }
        const before = (await m.agreement.readerAgreementReport(db)).models.find((entry) => entry.modelId === `${negativeModel.id}@${model.version}`)
        assert.equal(before, undefined)
        // Read 1: the model finds nothing and neither does the reader (both negative).
        const quiet = await m.reads.openReadFor(db, radiologist, ip, studyNumbered(40001))
        const head = await auditCount()
        await m.reads.proposeFindings(db, radiologist, ip, quiet.id, { model: negativeModel, executionProvider: 'wasm', explanationMethod: null, findings: [] })
        const [recorded] = await auditSince(head)
        assert.deepEqual([recorded!.eventType, JSON.parse(recorded!.details).findingCount], ['model-result-recorded', 0])
        assert.equal(await db.modelRun.count({ where: { readId: quiet.id, findingCount: 0 } }), 1)
        await m.reads.signRead(db, ip, quiet.id, { meaning: 'review', signer: radiologist })
        // Read 2: the model finds nothing, the reader adds a nodule (the AI missed it).
        const missed = await m.reads.openReadFor(db, radiologist, ip, studyNumbered(40002))
        await m.reads.proposeFindings(db, radiologist, ip, missed.id, { model: negativeModel, executionProvider: 'wasm', explanationMethod: null, findings: [] })
        await m.reads.addReaderFinding(db, radiologist, ip, missed.id, { label: 'Lung nodule', location: point, measurementMm: 6, note: null })
        await m.reads.signRead(db, ip, missed.id, { meaning: 'review', signer: radiologist })
        // Read 3: one AI finding, accepted.
        const found = await m.reads.openReadFor(db, radiologist, ip, studyNumbered(40003))
        const proposed = await m.reads.proposeFindings(db, radiologist, ip, found.id, {
          model: negativeModel,
          executionProvider: 'wasm',
          explanationMethod: null,
          findings: [{ label: 'Lung nodule', location: box, measurementMm: 9, probability: 0.8 }],
        })
        await m.reads.decideFinding(db, radiologist, ip, found.id, proposed.findings[0]!.id, { action: 'accept' })
        await m.reads.signRead(db, ip, found.id, { meaning: 'review', signer: radiologist })

        const row = (await m.agreement.readerAgreementReport(db)).models.find((entry) => entry.modelId === `${negativeModel.id}@${model.version}`)!
        assert.deepEqual(row.table, { both: 1, aiOnly: 0, readerOnly: 1, neither: 1 })
        assert.equal(row.reads, 3)
        assert.equal(row.sensitivity, 0.5)
        // po = 2/3; pe = (1/3)(2/3) + (2/3)(1/3) = 4/9; kappa = (2/3 - 4/9) / (5/9) = 0.4
        assert.ok(Math.abs(row.kappa! - 0.4) < 1e-12, String(row.kappa))

        // A reader who signed a study amends it rather than starting a second, unlinked read.
        await assertAppError(m.reads.openReadFor(db, radiologist, ip, studyNumbered(40001)), 'conflict:findings')
        // An amendment under way keeps the signed original in the statistics until it is signed.
        await m.reads.amendRead(db, radiologist, ip, quiet.id, 'second look')
        const during = (await m.agreement.readerAgreementReport(db)).models.find((entry) => entry.modelId === `${negativeModel.id}@${model.version}`)!
        assert.deepEqual(during.table, row.table)
      })

      it('exports: a download by any reader of the read; a PACS store only by a radiologist, to the PACS the study came from', async () => {
        const pacsStudy = { ...studyNumbered(40010), source: 'dicomweb' as const, sourceRef: 'pacs-1' }
        const read = await m.reads.openReadFor(db, radiologist, ip, pacsStudy)
        await m.reads.addReaderFinding(db, radiologist, ip, read.id, { label: 'Other', location: point, measurementMm: null, note: null })
        await assertAppError(m.reads.recordReadExport(db, radiologist, ip, read.id, 'download', null), 'conflict:findings')
        await m.reads.signRead(db, ip, read.id, { meaning: 'review', signer: radiologist })
        await m.reads.recordReadExport(db, auditor, ip, read.id, 'download', null)
        await assertAppError(m.reads.recordReadExport(db, auditor, ip, read.id, 'pacs', 'pacs-1'), 'forbidden:findings')
        await assertAppError(m.reads.recordReadExport(db, radiologist, ip, read.id, 'pacs', 'another-pacs'), 'bad_request:findings')
        await assertAppError(m.reads.recordReadExport(db, radiologist, ip, read.id, 'pacs', null), 'bad_request:findings')
        const head = await auditCount()
        await m.reads.recordReadExport(db, radiologist, ip, read.id, 'pacs', 'pacs-1')
        const [event] = await auditSince(head)
        assert.deepEqual([event!.eventType, event!.eventCode, JSON.parse(event!.details).destination], ['read-exported', '110106', 'pacs'])
      })

      it('leaves an audit chain that verifies', async () => {
        const verdict = await m.verify.verifyAuditChain(db)
        assert.ok(verdict.ok, JSON.stringify(verdict))
        assert.equal(verdict.headSeq, await auditCount())
      })
    })

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
        await assertRefusedByDatabase('auditEvent.update', () => db.auditEvent.update({ where: { seq: 2 }, data: { actorName: 'mallory' } }), /append-only: UPDATE refused/)
        assert.deepEqual(await auditRow(2), original)
      })

      it('the database refuses DELETE on AuditEvent', async () => {
        const count = await auditCount()
        await assert.rejects(db.$executeRawUnsafe(`DELETE FROM "AuditEvent" WHERE "seq" = 3`), /append-only: DELETE refused/)
        await assert.rejects(db.$executeRawUnsafe(`DELETE FROM "AuditEvent"`), /append-only: DELETE refused/)
        await assertRefusedByDatabase('auditEvent.deleteMany', () => db.auditEvent.deleteMany({}), /append-only: DELETE refused/)
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
