import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Sqlite from 'better-sqlite3'
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3'
import type { SqlQuery } from '@prisma/driver-adapter-utils'
import { cachePreparedStatements } from './sqlite-statements.server'

function scratch() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'parallax-statements-'))
  return { file: path.join(dir, 'test.db'), dispose: () => rmSync(dir, { recursive: true, force: true }) }
}

const query = (sql: string, args: unknown[] = []): SqlQuery => ({ sql, args, argTypes: args.map(() => ({ scalarType: 'string', arity: 'scalar' })) }) as SqlQuery

describe('the prepared-statement cache of the SQLite connection', () => {
  it('answers every call with its own arguments through the real adapter, in and out of transactions', async () => {
    const db = scratch()
    try {
      const adapter = await new PrismaBetterSqlite3({ url: `file:${db.file}` }).connect()
      const client = (adapter as unknown as { client: Sqlite.Database }).client
      cachePreparedStatements(client)
      await adapter.executeScript('CREATE TABLE t (id TEXT PRIMARY KEY, v TEXT NOT NULL)')
      const insert = 'INSERT INTO t (id, v) VALUES (?, ?)'
      for (const id of ['a', 'b', 'c']) assert.equal(await adapter.executeRaw(query(insert, [id, `value ${id}`])), 1)
      const select = 'SELECT id, v FROM t WHERE id = ?'
      for (const id of ['c', 'a', 'b']) assert.deepEqual((await adapter.queryRaw(query(select, [id]))).rows, [[id, `value ${id}`]])

      const tx = await adapter.startTransaction()
      await tx.executeRaw(query('UPDATE t SET v = ? WHERE id = ?', ['changed', 'b']))
      assert.deepEqual((await tx.queryRaw(query(select, ['b']))).rows, [['b', 'changed']])
      await tx.executeRaw(query('ROLLBACK'))
      await tx.rollback()
      assert.deepEqual((await adapter.queryRaw(query(select, ['b']))).rows, [['b', 'value b']])

      // A constraint error is the adapter's typed error, and the statement stays usable.
      await assert.rejects(adapter.executeRaw(query(insert, ['a', 'again'])), (error: Error) => error.name === 'DriverAdapterError')
      assert.equal(await adapter.executeRaw(query(insert, ['d', 'value d'])), 1)
      // A column added later shows in a statement prepared before it (SQLite re-prepares it).
      const all = 'SELECT * FROM t WHERE id = ?'
      assert.deepEqual((await adapter.queryRaw(query(all, ['d']))).columnNames, ['id', 'v'])
      await adapter.executeScript("ALTER TABLE t ADD COLUMN w TEXT NOT NULL DEFAULT 'x'")
      assert.deepEqual((await adapter.queryRaw(query(all, ['d']))).rows, [['d', 'value d', 'x']])
      await adapter.dispose()
    } finally {
      db.dispose()
    }
  })

  it('prepares a statement once, and keeps no more than its size', () => {
    const db = scratch()
    try {
      const client = new Sqlite(db.file)
      const prepared: string[] = []
      const prepare = client.prepare.bind(client)
      Object.assign(client, { prepare: (sql: string) => (prepared.push(sql), prepare(sql)) })
      cachePreparedStatements(client, 2)
      const one = 'SELECT 1 AS n WHERE ? = ?'
      const two = 'SELECT 2 AS n WHERE ? = ?'
      const three = 'SELECT 3 AS n WHERE ? = ?'
      const rows = (sql: string, a: number, b: number) => (client.prepare(sql) as unknown as { bind(args: unknown[]): { raw(): { all(): unknown[] } } }).bind([a, b]).raw().all()
      assert.deepEqual(rows(one, 1, 1), [[1]])
      assert.deepEqual(rows(one, 1, 2), [])
      assert.deepEqual(rows(two, 5, 5), [[2]])
      assert.deepEqual(rows(one, 3, 3), [[1]])
      assert.deepEqual(prepared, [one, two])
      assert.deepEqual(rows(three, 0, 0), [[3]]) // the least recently used (two) goes
      assert.deepEqual(rows(one, 0, 0), [[1]])
      assert.deepEqual(rows(two, 0, 0), [[2]])
      assert.deepEqual(prepared, [one, two, three, two])
      client.close()
    } finally {
      db.dispose()
    }
  })
})
