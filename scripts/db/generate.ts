// Derives the PostgreSQL schema from prisma/schema.prisma and generates both Prisma
// clients. Runs on `npm install` (postinstall). The CLI wants a schema-engine binary for
// every command, which cannot be downloaded here; generation never runs it, so any
// existing file satisfies the check.
import { execFileSync } from 'node:child_process'
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs'
import path from 'node:path'
import { derivePostgresSchema } from '../../lib/db/schema-variants'

const root = path.resolve(import.meta.dirname, '../..')
const sqliteSchema = path.join(root, 'prisma/schema.prisma')
const postgresSchema = path.join(root, 'prisma/postgres/schema.prisma')

mkdirSync(path.dirname(postgresSchema), { recursive: true })
writeFileSync(postgresSchema, derivePostgresSchema(readFileSync(sqliteSchema, 'utf8')))

const env = { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? process.execPath, PRISMA_HIDE_UPDATE_MESSAGE: '1' }
const prismaCli = path.join(root, 'node_modules/prisma/build/index.js')
for (const schema of [sqliteSchema, postgresSchema]) {
  execFileSync(process.execPath, [prismaCli, 'generate', '--schema', schema], { cwd: root, env, stdio: 'inherit' })
}
