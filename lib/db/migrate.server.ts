import 'server-only'
import { readFile, readdir } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import * as engineBindings from '@prisma/schema-engine-wasm/schema_engine_bg'
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils'
import type { MigrationList, SchemaEngine } from '@prisma/schema-engine-wasm'
import type { SqlDriverAdapter } from '@prisma/driver-adapter-utils'
import { createAdapterFactory } from './adapter.server'
import type { DatabaseConfig, DatabaseProvider } from './config'

// Prisma's schema engine compiled to WebAssembly, driven through our driver adapters:
// the CLI's native engine cannot be downloaded on these machines. The migrations folders
// keep Prisma's own layout, so `prisma migrate deploy` works unchanged where it can.

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')

export function schemaPath(provider: DatabaseProvider): string {
  return path.join(projectRoot, provider === 'sqlite' ? 'prisma/schema.prisma' : 'prisma/postgres/schema.prisma')
}

export function migrationsDir(provider: DatabaseProvider): string {
  return path.join(projectRoot, provider === 'sqlite' ? 'prisma/migrations' : 'prisma/postgres/migrations')
}

let wasmReady: Promise<void> | undefined

function loadEngineWasm(): Promise<void> {
  wasmReady ??= (async () => {
    const gluePath = fileURLToPath(import.meta.resolve('@prisma/schema-engine-wasm/schema_engine_bg'))
    const bytes = await readFile(gluePath.replace(/\.js$/, '.wasm'))
    const { instance } = await WebAssembly.instantiate(bytes, { './schema_engine_bg.js': engineBindings })
    engineBindings.__wbg_set_wasm(instance.exports)
    ;(instance.exports.__wbindgen_start as () => void)()
  })()
  return wasmReady
}

// @prisma/adapter-pg runs a migration script by splitting it on every ";", which breaks
// statements that contain one (a plpgsql function body). Send the script as one simple
// query instead, as Prisma's native engine does; errors still go through the adapter's
// own mapping.
function sendScriptsWhole(adapter: SqlDriverAdapter): void {
  const pgAdapter = adapter as SqlDriverAdapter & {
    underlyingDriver(): { query(sql: string): Promise<unknown> }
    onError(error: unknown): never
  }
  pgAdapter.executeScript = async (script: string) => {
    try {
      await pgAdapter.underlyingDriver().query(script)
    } catch (error) {
      pgAdapter.onError(error)
    }
  }
}

async function withEngine<T>(config: DatabaseConfig, run: (engine: SchemaEngine) => Promise<T>): Promise<T> {
  await loadEngineWasm()
  const schemaFile = schemaPath(config.provider)
  const schema = await readFile(schemaFile, 'utf8')
  // The engine opens connections through the factory but never closes them; track them
  // so a SQLite file is not left locked for the app that starts next.
  const inner = createAdapterFactory(config)
  const opened: { dispose(): Promise<void> }[] = []
  const track = async <A extends SqlDriverAdapter>(connection: Promise<A>) => {
    const adapter = await connection
    if (adapter.provider === 'postgres') sendScriptsWhole(adapter)
    opened.push(adapter)
    return adapter
  }
  const factory = bindMigrationAwareSqlAdapterFactory({
    provider: inner.provider,
    adapterName: inner.adapterName,
    connect: () => track(inner.connect()),
    connectToShadowDb: () => track(inner.connectToShadowDb()),
  })
  const log = (message: string) => {
    if (process.env.PARALLAX_DEBUG_MIGRATIONS) console.error('[schema-engine]', message)
  }
  const engine = (await engineBindings.SchemaEngine.new({ datamodels: [[schemaFile, schema]] }, log, factory)) as SchemaEngine
  try {
    return await run(engine)
  } finally {
    engine.free()
    await Promise.all(opened.map((adapter) => adapter.dispose()))
  }
}

export async function readMigrationList(provider: DatabaseProvider): Promise<MigrationList> {
  const baseDir = migrationsDir(provider)
  const lockPath = path.join(baseDir, 'migration_lock.toml')
  const entries = existsSync(baseDir) ? await readdir(baseDir, { withFileTypes: true }) : []
  const directories = entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
  return {
    baseDir,
    lockfile: {
      path: 'migration_lock.toml',
      content: existsSync(lockPath) ? await readFile(lockPath, 'utf8') : null,
    },
    shadowDbInitScript: '',
    migrationDirectories: await Promise.all(
      directories.map(async (name) => {
        const file = path.join(baseDir, name, 'migration.sql')
        const content = await readFile(file, 'utf8').then(
          (value) => ({ tag: 'ok' as const, value }),
          (error: Error) => ({ tag: 'error' as const, value: error.message }),
        )
        return { path: name, migrationFile: { path: 'migration.sql', content } }
      }),
    ),
  }
}

const noFilters = { externalTables: [], externalEnums: [] }

/** Applies every pending migration; returns the names of those applied now. */
export async function applyMigrations(config: DatabaseConfig): Promise<string[]> {
  const migrationsList = await readMigrationList(config.provider)
  return withEngine(config, async (engine) => {
    const result = await engine.applyMigrations({ migrationsList, filters: noFilters })
    return result.appliedMigrationNames
  })
}

/**
 * The SQL that takes a database from the `previous` data model (null: an empty database)
 * to the current prisma schema, or null when they agree. Comparing two data models needs
 * no introspection of a live database, which these adapters cannot do reliably; the
 * engine still wants a connection (`config`, a scratch database).
 */
export async function diffSchemaChange(config: DatabaseConfig, previous: string | null): Promise<string | null> {
  const schemaFile = schemaPath(config.provider)
  const schema = await readFile(schemaFile, 'utf8')
  return withEngine(config, async (engine) => {
    const result = await engine.diff({
      from: previous === null ? { tag: 'empty' } : { tag: 'schemaDatamodel', files: [{ path: schemaFile, content: previous }] },
      to: { tag: 'schemaDatamodel', files: [{ path: schemaFile, content: schema }] },
      script: true,
      exitCode: true,
      filters: noFilters,
    })
    return result.exitCode === 2 ? (result.stdout ?? '') : null
  })
}
