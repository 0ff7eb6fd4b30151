// What every part of the data-layer suite shares: the modules under test, the database,
// and helpers that lift or break the database's guards and check how a change was refused.
import { after, before } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { Db, Database, Tx } from '../../lib/db/client.server'
import type { DatabaseProvider } from '../../lib/db/config'
import type { SessionUser } from '../../lib/auth/session-user'

// Loaded in `before`, after DATABASE_URL is set: the db client reads it on first use.
async function loadModules() {
  return {
    client: await import('../../lib/db/client.server'),
    migrate: await import('../../lib/db/migrate.server'),
    setup: await import('../../lib/users/setup.server'),
    users: await import('../../lib/users/users.server'),
    demo: await import('../../lib/users/demo-accounts'),
    append: await import('../../lib/audit/append.server'),
    verify: await import('../../lib/audit/verify.server'),
    checkpoints: await import('../../lib/audit/checkpoints.server'),
    checkpointRequest: await import('../../lib/audit/checkpoint-request.server'),
    floodLimits: await import('../../lib/audit/flood-limits.server'),
    clientEvents: await import('../../lib/audit/client-events.server'),
    pacs: await import('../../lib/dicomweb/pacs.server'),
    pacsAccess: await import('../../lib/dicomweb/pacs-access.server'),
    chain: await import('../../lib/audit/chain'),
    throttle: await import('../../lib/auth/throttle.server'),
    credentials: await import('../../lib/auth/credentials.server'),
    session: await import('../../lib/auth/session.server'),
    password: await import('../../lib/auth/password.server'),
    sso: await import('../../lib/auth/sso-accounts.server'),
    oidcConfig: await import('../../lib/auth/oidc-config'),
    errors: await import('../../lib/errors'),
    // The reads services (queries, finding changes, signing) under one name.
    reads: {
      ...(await import('../../lib/findings/read-rows.server')),
      ...(await import('../../lib/findings/reads.server')),
      ...(await import('../../lib/findings/finding-changes.server')),
      ...(await import('../../lib/findings/signing.server')),
    },
    signedContent: await import('../../lib/findings/signed-content'),
    signatureVerification: await import('../../lib/findings/signature-verification.server'),
    signingKey: await import('../../lib/audit/signing-key.server'),
    witnessStore: await import('../../lib/audit/witness.server'),
    checkpoint: await import('../../lib/audit/checkpoint'),
    canonicalJson: await import('../../lib/audit/canonical-json'),
    agreement: await import('../../lib/findings/agreement.server'),
    identifiers: await import('../../lib/audit/identifiers.server'),
    // The annotation project services (projects, tasks, agreement records) under one name.
    projects: {
      ...(await import('../../lib/annotation-projects/projects.server')),
      ...(await import('../../lib/annotation-projects/tasks.server')),
      ...(await import('../../lib/annotation-projects/agreement-records.server')),
    },
    models: {
      ...(await import('../../lib/inference/add-model.server')),
      ...(await import('../../lib/inference/registry.server')),
      ...(await import('../../lib/inference/model-store.server')),
    },
  }
}

export type Modules = Awaited<ReturnType<typeof loadModules>>

/** Set in the suite's `before` hook; `admin` by the user tests, which find the seeded account. */
interface DataLayerState {
  m: Modules
  database: Database
  db: Db
  url: string
  admin: SessionUser
}

export type DataLayerContext = ReturnType<typeof dataLayerContext>

/** Registers the suite's `before` and `after` hooks (call it inside the suite's describe). */
export function dataLayerContext(provider: DatabaseProvider, getUrl: () => string | Promise<string>) {
  const state = {} as DataLayerState

  const auditCount = () => state.db.auditEvent.count()
  const lastAudit = async (count = 1) => (await state.db.auditEvent.findMany({ orderBy: { seq: 'desc' }, take: count })).reverse()
  const auditRow = (seq: number) => state.db.auditEvent.findUniqueOrThrow({ where: { seq } })

  /**
   * Lifts the database's append-only guards for `run`, as someone with direct database
   * access could, then puts them back: the tamper-detection tests need it.
   */
  async function withGuardsLifted(run: () => Promise<void>): Promise<void> {
    const { db } = state
    if (provider === 'sqlite') {
      const triggers = await db.$queryRawUnsafe<{ name: string; sql: string }[]>(
        `SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'AuditEvent' ORDER BY name`,
      )
      assert.deepEqual(
        triggers.map((t) => t.name),
        ['AuditEvent_no_delete', 'AuditEvent_no_update'],
      )
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

  /**
   * Lifts every trigger on `tables` for `run` (the second reads' immutability guards, say),
   * as the database owner could, then puts them back.
   */
  async function withTriggersLifted(tables: string[], run: () => Promise<void>): Promise<void> {
    const { db } = state
    if (provider === 'sqlite') {
      const triggers = await db.$queryRawUnsafe<{ name: string; sql: string }[]>(
        `SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN (${tables.map((table) => `'${table}'`).join(', ')}) ORDER BY name`,
      )
      assert.ok(triggers.length > 0, `no triggers on ${tables.join(', ')}`)
      for (const { name } of triggers) await db.$executeRawUnsafe(`DROP TRIGGER "${name}"`)
      try {
        await run()
      } finally {
        for (const { sql } of triggers) await db.$executeRawUnsafe(sql)
      }
    } else {
      for (const table of tables) await db.$executeRawUnsafe(`ALTER TABLE "${table}" DISABLE TRIGGER USER`)
      try {
        await run()
      } finally {
        for (const table of tables) await db.$executeRawUnsafe(`ALTER TABLE "${table}" ENABLE TRIGGER USER`)
      }
    }
  }

  /** Makes every audit insert fail while `run` runs, to show the change it accompanies rolls back. */
  async function withAuditInsertsFailing(run: () => Promise<void>): Promise<void> {
    const { db } = state
    if (provider === 'sqlite') {
      await db.$executeRawUnsafe(`CREATE TRIGGER "test_refuse_insert" BEFORE INSERT ON "AuditEvent" BEGIN SELECT RAISE(ABORT, 'test: audit insert refused'); END`)
    } else {
      await db.$executeRawUnsafe(`CREATE FUNCTION "test_refuse_insert"() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'test: audit insert refused'; END $$`)
      await db.$executeRawUnsafe(`CREATE TRIGGER "test_refuse_insert" BEFORE INSERT ON "AuditEvent" FOR EACH ROW EXECUTE FUNCTION "test_refuse_insert"()`)
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
      assert.ok(error instanceof state.m.errors.AppError, `expected an AppError, got ${String(error)}`)
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
        state.db.$transaction(async (tx) => {
          await run(tx)
          throw acceptedAndRolledBack
        }),
      pattern,
    )
  }

  before(async () => {
    state.url = await getUrl()
    process.env.DATABASE_URL = state.url
    // The checkpoint signing key, outside the database, as in production.
    process.env.PARALLAX_AUDIT_KEY_FILE = path.join(mkdtempSync(path.join(tmpdir(), 'parallax-audit-key-')), 'key.pem')
    // The audit witness, outside the database too: the checkpoints' trust root.
    process.env.PARALLAX_AUDIT_WITNESS_DIR = mkdtempSync(path.join(tmpdir(), 'parallax-audit-witness-'))
    // The identifier salt (hashed study UIDs in the audit trail), also outside the database.
    process.env.PARALLAX_SECRETS_FILE = path.join(mkdtempSync(path.join(tmpdir(), 'parallax-secrets-')), 'secrets.json')
    state.m = await loadModules()
    state.database = state.m.client.getDatabase()
    state.db = state.database.db
  })

  after(async () => {
    await state.db?.$disconnect()
  })

  return Object.assign(state, {
    provider,
    auditCount,
    lastAudit,
    auditRow,
    withGuardsLifted,
    withTriggersLifted,
    withAuditInsertsFailing,
    assertAppError,
    assertRefusedByDatabase,
    assertRefusedInTransaction,
  })
}
