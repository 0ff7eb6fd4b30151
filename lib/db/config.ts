import path from 'node:path'

export type DatabaseProvider = 'sqlite' | 'postgresql'

export interface DatabaseConfig {
  provider: DatabaseProvider
  /** For SQLite, `file:` followed by an absolute path; for PostgreSQL, the URL as given. */
  url: string
}

export const defaultDatabaseUrl = 'file:.data/parallax.db'

/**
 * Reads DATABASE_URL (default: an embedded SQLite file under `.data/`). A relative SQLite
 * path is resolved against `baseDir` so scripts, the server and tests agree on one file.
 */
export function resolveDatabaseConfig(rawUrl: string | undefined = process.env.DATABASE_URL, baseDir: string = process.cwd()): DatabaseConfig {
  const url = rawUrl?.trim() || defaultDatabaseUrl
  if (url.startsWith('file:')) {
    const filePath = url.slice('file:'.length)
    if (!filePath) throw new Error('DATABASE_URL: a file: URL needs a path, e.g. file:.data/parallax.db')
    return { provider: 'sqlite', url: `file:${path.resolve(baseDir, filePath)}` }
  }
  if (/^postgres(ql)?:\/\//.test(url)) return { provider: 'postgresql', url }
  throw new Error('DATABASE_URL must start with file: (SQLite) or postgresql:// (PostgreSQL)')
}

export function sqliteFilePath(config: DatabaseConfig): string {
  if (config.provider !== 'sqlite') throw new Error('not a SQLite configuration')
  return config.url.slice('file:'.length)
}

/**
 * The connection migrations run on: PARALLAX_MIGRATION_DATABASE_URL, the role that owns the
 * schema, when the app itself runs as a role that may not alter it (PostgreSQL only);
 * otherwise the app's own (the same object).
 */
export function resolveMigrationConfig(app: DatabaseConfig, rawUrl: string | undefined = process.env.PARALLAX_MIGRATION_DATABASE_URL): DatabaseConfig {
  const url = rawUrl?.trim()
  if (!url || url === app.url) return app
  if (app.provider !== 'postgresql' || !/^postgres(ql)?:\/\//.test(url)) {
    throw new Error('PARALLAX_MIGRATION_DATABASE_URL names the owner role for PostgreSQL (postgresql://…) and needs a PostgreSQL DATABASE_URL; SQLite has no roles')
  }
  return { provider: 'postgresql', url }
}
