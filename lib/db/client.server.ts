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

// Which database each client speaks to, for code that is handed a client (not the process's own).
const providers = new WeakMap<Db, DatabaseProvider>()

export function createDatabase(config: DatabaseConfig): Database {
  const adapter = createAdapterFactory(config)
  const db = config.provider === 'sqlite' ? new PrismaClient({ adapter }) : (new PostgresPrismaClient({ adapter }) as unknown as PrismaClient)
  providers.set(db, config.provider)
  return { db, config }
}

export function providerOf(db: Db): DatabaseProvider {
  return providers.get(db) ?? getDatabase().config.provider
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
