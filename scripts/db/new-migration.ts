// Creates a migration for both databases from the change in prisma/schema.prisma:
//   npm run db:migration -- <name>
// SQLite is diffed in a temp file, PostgreSQL in a throwaway cluster (tests/support/postgres).
import { mkdirSync, writeFileSync, mkdtempSync, rmSync, existsSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { diffMigrationsToSchema, migrationsDir } from '../../lib/db/migrate.server'
import { resolveDatabaseConfig, type DatabaseProvider } from '../../lib/db/config'
import { startPostgres } from '../../tests/support/postgres'

const name = process.argv[2]
if (!name || !/^[a-z0-9_]+$/.test(name)) {
  console.error('usage: npm run db:migration -- <snake_case_name>')
  process.exit(2)
}
const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14)

function write(provider: DatabaseProvider, sql: string | null) {
  if (sql === null) {
    console.log(`${provider}: schema and migrations already agree, nothing written`)
    return
  }
  const dir = migrationsDir(provider)
  const lock = path.join(dir, 'migration_lock.toml')
  mkdirSync(path.join(dir, `${stamp}_${name}`), { recursive: true })
  if (!existsSync(lock)) writeFileSync(lock, `provider = "${provider}"\n`)
  writeFileSync(path.join(dir, `${stamp}_${name}`, 'migration.sql'), sql)
  console.log(`${provider}: wrote ${path.relative(process.cwd(), dir)}/${stamp}_${name}/migration.sql`)
}

const scratch = mkdtempSync(path.join(os.tmpdir(), 'parallax-diff-'))
try {
  write('sqlite', await diffMigrationsToSchema(resolveDatabaseConfig(`file:${scratch}/diff.db`)))
  const postgres = await startPostgres()
  try {
    const url = await postgres.createDatabase('parallax_diff')
    write('postgresql', await diffMigrationsToSchema(resolveDatabaseConfig(url)))
  } finally {
    postgres.stop()
  }
} finally {
  rmSync(scratch, { recursive: true, force: true })
}
