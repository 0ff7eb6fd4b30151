import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { SqlDriverAdapter, SqlQuery, Transaction } from '@prisma/driver-adapter-utils'
import { serializeTransactions } from './serial-transactions.server'

const query = (sql: string): SqlQuery => ({ sql, args: [], argTypes: [] })

/** An adapter whose transactions record how many of their queries run at once; "fail" fails. */
function recordingAdapter() {
  const seen = { running: 0, most: 0, order: [] as string[] }
  const run = async (q: SqlQuery) => {
    seen.running++
    seen.most = Math.max(seen.most, seen.running)
    await new Promise((resolve) => setTimeout(resolve, 5))
    seen.running--
    seen.order.push(q.sql)
    if (q.sql === 'fail') throw new Error('refused')
    return { columnNames: [], columnTypes: [], rows: [] }
  }
  const tx = { queryRaw: run, executeRaw: async (q: SqlQuery) => (await run(q), 0) } as unknown as Transaction
  const adapter = { queryRaw: run, startTransaction: async () => tx } as unknown as SqlDriverAdapter
  return { adapter, seen }
}

describe('serializeTransactions', () => {
  it('runs the queries of a transaction one at a time, in the order issued, and a failure does not stop the next', async () => {
    const { adapter, seen } = recordingAdapter()
    const tx = await serializeTransactions(adapter).startTransaction()
    const results = await Promise.allSettled([tx.queryRaw(query('a')), tx.executeRaw(query('fail')), tx.queryRaw(query('c'))])
    assert.deepEqual(
      results.map((result) => result.status),
      ['fulfilled', 'rejected', 'fulfilled'],
    )
    assert.equal(seen.most, 1)
    assert.deepEqual(seen.order, ['a', 'fail', 'c'])
  })

  it('leaves queries on the pool parallel', async () => {
    const { adapter, seen } = recordingAdapter()
    await Promise.all([serializeTransactions(adapter).queryRaw(query('a')), adapter.queryRaw(query('b'))])
    assert.equal(seen.most, 2)
  })
})
