import 'server-only'
import { mkdirSync } from 'node:fs'
import path from 'node:path'
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3'
import { PrismaPg } from '@prisma/adapter-pg'
import { sqliteFilePath, type DatabaseConfig } from './config'

export type AdapterFactory = PrismaBetterSqlite3 | PrismaPg

export function createAdapterFactory(config: DatabaseConfig): AdapterFactory {
  if (config.provider === 'sqlite') {
    mkdirSync(path.dirname(sqliteFilePath(config)), { recursive: true })
    return new PrismaBetterSqlite3({ url: config.url })
  }
  return new PrismaPg({ connectionString: config.url })
}
