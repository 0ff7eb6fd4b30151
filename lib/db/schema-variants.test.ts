import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { derivePostgresSchema } from './schema-variants'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const read = (file: string) => readFileSync(path.join(root, file), 'utf8')

describe('PostgreSQL schema variant', () => {
  it('prisma/postgres/schema.prisma is exactly what scripts/db/generate.ts derives from prisma/schema.prisma', () => {
    // Fails when someone edits the derived file by hand, or edits the source schema
    // without regenerating (npm install / tsx scripts/db/generate.ts).
    assert.equal(read('prisma/postgres/schema.prisma'), derivePostgresSchema(read('prisma/schema.prisma')))
  })

  it('changes only the provider and the client output path', () => {
    const source = read('prisma/schema.prisma')
    const derived = derivePostgresSchema(source)
    assert.match(derived, /^\/\/ GENERATED from \.\.\/schema\.prisma/)
    assert.match(derived, /provider = "postgresql"/)
    assert.match(derived, /output {7}= "\.\.\/\.\.\/lib\/db\/generated\/postgres"/)
    assert.doesNotMatch(derived, /"sqlite"/)
    const normalise = (schema: string) =>
      schema
        .split('\n')
        .filter((line) => !/^\/\/ GENERATED/.test(line) && !/^\s*(provider|output)\s*=/.test(line))
        .join('\n')
    assert.equal(normalise(derived), normalise(source))
  })

  it('refuses a source schema that is not the SQLite one', () => {
    assert.throws(() => derivePostgresSchema(derivePostgresSchema(read('prisma/schema.prisma'))), /expected a sqlite datasource/)
    assert.throws(() => derivePostgresSchema('datasource db {\n  provider = "sqlite"\n}\n'), /expected a sqlite datasource and the sqlite client output path/)
  })
})
