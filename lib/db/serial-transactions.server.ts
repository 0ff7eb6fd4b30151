import 'server-only'
import type { SqlDriverAdapter, Transaction } from '@prisma/driver-adapter-utils'

// Prisma's query interpreter loads the relations of an `include` (its `join` node) with
// Promise.all. Outside a transaction each of those queries takes a connection of the pool;
// inside one they all land on the transaction's single pg client, which queues them today
// with a deprecation warning ("client.query() when the client is already executing a
// query") and will refuse them in pg@9 (prisma/orm#29407). So every query of a transaction
// waits for the one before it; queries on the pool stay parallel.

/** Runs the queries of each transaction `adapter` starts one after another, in the order they were issued. */
export function serializeTransactions(adapter: SqlDriverAdapter): SqlDriverAdapter {
  const startTransaction = adapter.startTransaction.bind(adapter)
  adapter.startTransaction = async (isolationLevel) => inTurn(await startTransaction(isolationLevel))
  return adapter
}

// Replaces the methods on the instance, so the adapter's own savepoint methods, which call
// this.executeRaw, take their turn too.
function inTurn(tx: Transaction): Transaction {
  let last: Promise<unknown> = Promise.resolve()
  const afterLast = <T>(run: () => Promise<T>): Promise<T> => {
    const result = last.then(run)
    // A failed query ends its turn like any other: the caller gets the error, the next query runs.
    last = result.catch(() => {})
    return result
  }
  const queryRaw = tx.queryRaw.bind(tx)
  const executeRaw = tx.executeRaw.bind(tx)
  tx.queryRaw = (query) => afterLast(() => queryRaw(query))
  tx.executeRaw = (query) => afterLast(() => executeRaw(query))
  return tx
}
