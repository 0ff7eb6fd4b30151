// What the production-start and trust-root suites share (production-suite.ts,
// tamper-suite.ts): a fresh database set up as in production (no demo mode; on PostgreSQL
// the app's role and the owner's), the modules under test, and the owner's powers over the
// database for the tamper tests: triggers off, rows rewritten, deleted and re-inserted.
import { after, before } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { Database, Db } from '../../lib/db/client.server'
import type { DatabaseProvider } from '../../lib/db/config'

async function loadModules() {
  return {
    client: await import('../../lib/db/client.server'),
    appRole: await import('../../lib/db/app-role.server'),
    setup: await import('../../lib/users/setup.server'),
    users: await import('../../lib/users/users.server'),
    userSchema: await import('../../lib/users/schema'),
    demo: await import('../../lib/users/demo-accounts'),
    append: await import('../../lib/audit/append.server'),
    verify: await import('../../lib/audit/verify.server'),
    checkpoints: await import('../../lib/audit/checkpoints.server'),
    checkpoint: await import('../../lib/audit/checkpoint'),
    chain: await import('../../lib/audit/chain'),
    key: await import('../../lib/audit/signing-key.server'),
    witness: await import('../../lib/audit/witness'),
    witnessStore: await import('../../lib/audit/witness.server'),
    throttle: await import('../../lib/auth/throttle.server'),
  }
}

export type ProductionModules = Awaited<ReturnType<typeof loadModules>>

/** The connections of a fresh database: the app's, and the owner's (the same on SQLite). */
export interface ProductionDatabase {
  appUrl: string
  ownerUrl: string
}

export type ProductionContext = ReturnType<typeof productionContext>

export function productionContext(provider: DatabaseProvider, prepare: () => Promise<ProductionDatabase>) {
  const state = {} as { m: ProductionModules; database: Database; db: Db; owner: Db; urls: ProductionDatabase; keyFile: string; witnessDir: string }
  const scratch: string[] = []

  /**
   * Runs `run` with the user triggers of `tables` off, as the owner can: on SQLite by
   * dropping and re-creating them, on PostgreSQL by ALTER TABLE … DISABLE TRIGGER.
   */
  async function withTriggersOff(tables: string[], run: (owner: Db) => Promise<void>): Promise<void> {
    const { owner } = state
    if (provider === 'sqlite') {
      const list = tables.map((table) => `'${table}'`).join(', ')
      const triggers = await owner.$queryRawUnsafe<{ name: string; sql: string }[]>(`SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN (${list})`)
      assert.ok(triggers.length >= tables.length * 2, `triggers found: ${triggers.map((trigger) => trigger.name).join(', ')}`)
      for (const { name } of triggers) await owner.$executeRawUnsafe(`DROP TRIGGER "${name}"`)
      try {
        await run(owner)
      } finally {
        for (const { sql } of triggers) await owner.$executeRawUnsafe(sql)
      }
    } else {
      for (const table of tables) await owner.$executeRawUnsafe(`ALTER TABLE "${table}" DISABLE TRIGGER USER`)
      try {
        await run(owner)
      } finally {
        for (const table of tables) await owner.$executeRawUnsafe(`ALTER TABLE "${table}" ENABLE TRIGGER USER`)
      }
    }
  }

  /** Some events with no other change, as the app writes them. */
  async function appendEvents(count: number, tag: string): Promise<void> {
    for (let index = 0; index < count; index++) {
      await state.m.append.recordAudit(state.db, { type: 'access-denied', resource: `/api/${tag}/${index}`, method: 'GET' }, { actor: null, sourceIp: '192.0.2.40' })
    }
  }

  before(async () => {
    state.urls = await prepare()
    process.env.DATABASE_URL = state.urls.appUrl
    if (state.urls.ownerUrl !== state.urls.appUrl) process.env.PARALLAX_MIGRATION_DATABASE_URL = state.urls.ownerUrl
    delete process.env.PARALLAX_DEMO
    delete process.env.PARALLAX_AUDIT_PUBLIC_KEY
    const keyDir = mkdtempSync(path.join(tmpdir(), 'parallax-audit-key-'))
    state.witnessDir = mkdtempSync(path.join(tmpdir(), 'parallax-audit-witness-'))
    const secretsDir = mkdtempSync(path.join(tmpdir(), 'parallax-secrets-'))
    scratch.push(keyDir, state.witnessDir, secretsDir)
    state.keyFile = path.join(keyDir, 'key.pem')
    process.env.PARALLAX_AUDIT_KEY_FILE = state.keyFile
    process.env.PARALLAX_AUDIT_WITNESS_DIR = state.witnessDir
    process.env.PARALLAX_SECRETS_FILE = path.join(secretsDir, 'secrets.json')
    state.m = await loadModules()
    state.database = state.m.client.getDatabase()
    state.db = state.database.db
    state.owner = state.urls.ownerUrl === state.urls.appUrl ? state.db : state.m.client.createDatabase({ provider: 'postgresql', url: state.urls.ownerUrl }).db
  })

  after(async () => {
    if (state.owner !== state.db) await state.owner?.$disconnect()
    await state.db?.$disconnect()
    for (const dir of scratch) rmSync(dir, { recursive: true, force: true })
  })

  return Object.assign(state, { provider, withTriggersOff, appendEvents })
}
