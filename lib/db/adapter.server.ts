import 'server-only'
import { mkdirSync } from 'node:fs'
import path from 'node:path'
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3'
import { PrismaPg } from '@prisma/adapter-pg'
import type { SqlDriverAdapter, SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils'
import type { Database } from 'better-sqlite3'
import { sqliteFilePath, type DatabaseConfig } from './config'
import { serializeTransactions } from './serial-transactions.server'
import { cachePreparedStatements } from './sqlite-statements.server'

export type AdapterFactory = SqlMigrationAwareDriverAdapterFactory

// Every SQLite connection: a write-ahead log, so a commit is one append and one fsync of
// the log instead of a rollback journal written, synced and deleted, and readers do not
// block the writer. synchronous=FULL keeps every acknowledged commit (audit events
// included) across a power loss; better-sqlite3 builds SQLite with NORMAL as the WAL
// default, which may lose the last commits then. WAL needs a local file system (the
// default .data/ folder), not a network share.
const sqlitePragmas = 'PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;'

async function withSqlitePragmas(connection: Promise<SqlDriverAdapter>): Promise<SqlDriverAdapter> {
  const adapter = await connection
  await adapter.executeScript(sqlitePragmas)
  // The adapter keeps its better-sqlite3 connection as `client` (not part of its typed API).
  const client = (adapter as unknown as { client?: Database }).client
  if (typeof client?.prepare !== 'function') throw new Error('@prisma/adapter-better-sqlite3 no longer exposes its connection as `client`: see lib/db/sqlite-statements.server.ts')
  cachePreparedStatements(client)
  return adapter
}

export function createAdapterFactory(config: DatabaseConfig): AdapterFactory {
  if (config.provider === 'sqlite') {
    mkdirSync(path.dirname(sqliteFilePath(config)), { recursive: true })
    const factory = new PrismaBetterSqlite3({ url: config.url })
    return {
      provider: factory.provider,
      adapterName: factory.adapterName,
      connect: () => withSqlitePragmas(factory.connect()),
      connectToShadowDb: () => withSqlitePragmas(factory.connectToShadowDb()),
    }
  }
  const factory = new PrismaPg({ connectionString: config.url })
  return {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: async () => serializeTransactions(await factory.connect()),
    connectToShadowDb: async () => serializeTransactions(await factory.connectToShadowDb()),
  }
}
