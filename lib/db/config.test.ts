import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import path from 'node:path'
import { defaultDatabaseUrl, resolveDatabaseConfig, resolveMigrationConfig, sqliteFilePath } from './config'

const base = path.resolve('/srv/parallax')

describe('resolveDatabaseConfig', () => {
  it('defaults to the embedded SQLite file under .data/ when DATABASE_URL is unset or blank', () => {
    const expected = { provider: 'sqlite', url: `file:${path.join(base, '.data/parallax.db')}` }
    assert.equal(defaultDatabaseUrl, 'file:.data/parallax.db')
    assert.deepEqual(resolveDatabaseConfig(undefined, base), expected)
    assert.deepEqual(resolveDatabaseConfig('', base), expected)
    assert.deepEqual(resolveDatabaseConfig('   ', base), expected)
  })

  it('resolves a relative SQLite path against the base directory', () => {
    assert.deepEqual(resolveDatabaseConfig('file:./var/app.db', base), { provider: 'sqlite', url: `file:${path.join(base, 'var/app.db')}` })
    assert.deepEqual(resolveDatabaseConfig('file:../elsewhere.db', base), { provider: 'sqlite', url: `file:${path.resolve(base, '../elsewhere.db')}` })
  })

  it('keeps an absolute SQLite path and trims surrounding whitespace', () => {
    assert.deepEqual(resolveDatabaseConfig('  file:/var/lib/parallax/db.sqlite\n', base), { provider: 'sqlite', url: 'file:/var/lib/parallax/db.sqlite' })
  })

  it('uses the process working directory as the default base', () => {
    assert.equal(resolveDatabaseConfig('file:x.db').url, `file:${path.join(process.cwd(), 'x.db')}`)
  })

  it('refuses a file: URL without a path', () => {
    assert.throws(() => resolveDatabaseConfig('file:', base), /needs a path/)
  })

  it('passes PostgreSQL URLs through unchanged, under either scheme name', () => {
    for (const url of ['postgresql://app:secret@db.internal:5432/parallax?sslmode=require', 'postgres://localhost/parallax']) {
      assert.deepEqual(resolveDatabaseConfig(url, base), { provider: 'postgresql', url })
    }
  })

  it('refuses any other scheme', () => {
    for (const url of ['mysql://localhost/parallax', 'sqlite:parallax.db', 'parallax.db', 'postgresql:/missing-slash']) {
      assert.throws(() => resolveDatabaseConfig(url, base), /must start with file: .* or postgresql:\/\//, url)
    }
  })
})

describe('sqliteFilePath', () => {
  it('returns the absolute file path of a SQLite configuration', () => {
    assert.equal(sqliteFilePath(resolveDatabaseConfig('file:data/p.db', base)), path.join(base, 'data/p.db'))
  })

  it('refuses a PostgreSQL configuration', () => {
    assert.throws(() => sqliteFilePath(resolveDatabaseConfig('postgresql://localhost/p', base)), /not a SQLite configuration/)
  })
})

describe('resolveMigrationConfig', () => {
  const app = resolveDatabaseConfig('postgresql://parallax_app:pw@db.example:5432/parallax')

  it("migrates on the app's own connection when PARALLAX_MIGRATION_DATABASE_URL is unset, blank or the same", () => {
    assert.equal(resolveMigrationConfig(app, undefined), app)
    assert.equal(resolveMigrationConfig(app, '  '), app)
    assert.equal(resolveMigrationConfig(app, app.url), app)
  })

  it('migrates as the owner role when it names another PostgreSQL connection', () => {
    assert.deepEqual(resolveMigrationConfig(app, ' postgresql://parallax_owner:pw@db.example:5432/parallax '), {
      provider: 'postgresql',
      url: 'postgresql://parallax_owner:pw@db.example:5432/parallax',
    })
  })

  it('refuses an owner URL for SQLite, or one that is not PostgreSQL', () => {
    assert.throws(() => resolveMigrationConfig(resolveDatabaseConfig('file:x.db', base), 'postgresql://owner@db/parallax'), /SQLite has no roles/)
    assert.throws(() => resolveMigrationConfig(app, 'file:other.db'), /postgresql:\/\//)
  })
})
