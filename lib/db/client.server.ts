import 'server-only'
import { PrismaClient } from './generated/sqlite/client'
import { PrismaClient as PostgresPrismaClient } from './generated/postgres/client'
import { createAdapterFactory } from './adapter.server'
import { resolveDatabaseConfig, type DatabaseConfig, type DatabaseProvider } from './config'

// Both generated clients come from the same model (prisma/schema.prisma), so they expose
// the same API; we type everything against the SQLite one.
export type Db = PrismaClient
export type { Prisma } from './generated/sqlite/client'
export type Tx = Parameters<Parameters<Db['$transaction']>[0]>[0]

export interface Database {
  db: Db
  config: DatabaseConfig
}

// Which configuration each client was made from: for code handed a client (providerOf) and for code that reads past Prisma, through
// the driver itself (lib/audit's chain reader, where the query engine's per-row mapping cost
// more than the work done on the rows). Kept on globalThis like the client itself: the
// server's client is made by scripts/start.ts, outside the Next.js bundle's copy of this module.
const globalForConfigs = globalThis as unknown as { parallaxDatabaseConfigs?: WeakMap<Db, DatabaseConfig> }
const configs = (globalForConfigs.parallaxDatabaseConfigs ??= new WeakMap<Db, DatabaseConfig>())

export function createDatabase(config: DatabaseConfig): Database {
  const adapter = createAdapterFactory(config)
  const db = config.provider === 'sqlite' ? new PrismaClient({ adapter }) : (new PostgresPrismaClient({ adapter }) as unknown as PrismaClient)
  configs.set(db, config)
  return { db, config }
}

/** The configuration `db` was created from (every client comes from createDatabase). */
export function databaseConfigOf(db: Db): DatabaseConfig {
  const config = configs.get(db)
  if (!config) throw new Error('databaseConfigOf: this client was not made by createDatabase')
  return config
}

/** Which database `db` speaks to, for code that is handed a client (not the process's own). */
export function providerOf(db: Db): DatabaseProvider {
  return configs.get(db)?.provider ?? getDatabase().config.provider
}

// One client per server process; cached on globalThis so dev-mode reloads reuse it.
const globalForDb = globalThis as unknown as { parallaxDatabase?: Database }

export function getDatabase(): Database {
  globalForDb.parallaxDatabase ??= createDatabase(resolveDatabaseConfig())
  return globalForDb.parallaxDatabase
}

export function getDb(): Db {
  return getDatabase().db
}
