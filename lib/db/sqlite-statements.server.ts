import 'server-only'
import type { Database, Statement } from 'better-sqlite3'

// @prisma/adapter-better-sqlite3 prepares every query anew (`client.prepare(sql).bind(args)`,
// then `run()` or `columns()` + `raw().all()`): SQLite parses and plans the same few dozen
// statements again on every request, about a fifth of the server's time under load. Here
// the adapter's connection keeps its prepared statements, by SQL text, and hands the
// adapter a view of one bound to this call's arguments. better-sqlite3's own bind() would
// fix the arguments for good, so the view passes them to each run() and all() instead. A
// statement re-prepares itself when the schema changes (sqlite3_prepare_v3), so a migration
// does not leave a stale one. Nothing else uses this connection.

/** The part of a better-sqlite3 statement the adapter uses. */
export interface AdapterStatement {
  readonly reader: boolean
  bind(args: unknown[]): AdapterStatement
  run(): unknown
  columns(): ReturnType<Statement['columns']>
  raw(): { all(): unknown[] }
}

/** Most distinct statements kept (IN lists of every length are distinct texts); least recently used go first. */
export const statementCacheSize = 256

function view(statement: Statement<unknown[]>, args: unknown[]): AdapterStatement {
  return {
    reader: statement.reader,
    bind: (next) => view(statement, next),
    run: () => statement.run(...args),
    columns: () => statement.columns(),
    raw: () => ({ all: () => statement.raw(true).all(...args) }),
  }
}

/** Makes `client.prepare` answer from a cache of prepared statements (for the adapter's connection only). */
export function cachePreparedStatements(client: Database, size = statementCacheSize): void {
  const prepare = client.prepare.bind(client) as (sql: string) => Statement<unknown[]>
  const statements = new Map<string, Statement<unknown[]>>()
  const cached = (sql: string): AdapterStatement => {
    let statement = statements.get(sql)
    if (statement) {
      statements.delete(sql)
    } else {
      statement = prepare(sql)
      if (statements.size >= size) statements.delete(statements.keys().next().value!)
    }
    statements.set(sql, statement)
    return view(statement, [])
  }
  Object.assign(client, { prepare: cached })
}
