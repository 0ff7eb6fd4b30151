// Creates a migration for both databases from the change to prisma/schema.prisma since
// the last commit:
//   npm run db:migration -- <name> [--from <git revision>]
// Both data models (before and after) are compared by Prisma's schema engine; SQLite is
// diffed with a temp file, PostgreSQL with a throwaway cluster (tests/support/postgres).
import { execFileSync } from 'node:child_process'
import { mkdirSync, writeFileSync, mkdtempSync, rmSync, existsSync, readdirSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { diffSchemaChange, migrationsDir } from '../../lib/db/migrate.server'
import { resolveDatabaseConfig, type DatabaseProvider } from '../../lib/db/config'
import { derivePostgresSchema } from '../../lib/db/schema-variants'
import { startPostgres } from '../../tests/support/postgres'

const { positionals, values } = parseArgs({ allowPositionals: true, options: { from: { type: 'string', default: 'HEAD' } } })
const name = positionals[0]
if (!name || !/^[a-z0-9_]+$/.test(name)) {
  console.error('usage: npm run db:migration -- <snake_case_name> [--from <git revision>]')
  process.exit(2)
}
const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14)

function hasMigrations(provider: DatabaseProvider): boolean {
  const dir = migrationsDir(provider)
  return existsSync(dir) && readdirSync(dir, { withFileTypes: true }).some((entry) => entry.isDirectory())
}

/** The SQLite source schema as of the given revision (null before the first migration). */
function previousSchema(): string | null {
  if (!hasMigrations('sqlite')) return null
  return execFileSync('git', ['show', `${values.from}:prisma/schema.prisma`], { encoding: 'utf8' })
}

function write(provider: DatabaseProvider, sql: string | null) {
  if (sql === null) {
    console.log(`${provider}: no change to the data model, nothing written`)
    return
  }
  const dir = migrationsDir(provider)
  const lock = path.join(dir, 'migration_lock.toml')
  mkdirSync(path.join(dir, `${stamp}_${name}`), { recursive: true })
  if (!existsSync(lock)) writeFileSync(lock, `provider = "${provider}"\n`)
  writeFileSync(path.join(dir, `${stamp}_${name}`, 'migration.sql'), sql)
  console.log(`${provider}: wrote ${path.relative(process.cwd(), dir)}/${stamp}_${name}/migration.sql`)
}

const previous = previousSchema()
const scratch = mkdtempSync(path.join(os.tmpdir(), 'parallax-diff-'))
try {
  write('sqlite', await diffSchemaChange(resolveDatabaseConfig(`file:${scratch}/diff.db`), previous))
  const postgres = await startPostgres()
  try {
    const url = await postgres.createDatabase('parallax_diff')
    write('postgresql', await diffSchemaChange(resolveDatabaseConfig(url), previous && derivePostgresSchema(previous)))
  } finally {
    postgres.stop()
  }
} finally {
  rmSync(scratch, { recursive: true, force: true })
}
console.log('Review the SQL (triggers and hand-written statements are never generated), then run npm run db:setup.')
