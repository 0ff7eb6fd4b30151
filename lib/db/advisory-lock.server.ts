import 'server-only'
import pg from 'pg'
import { providerOf, type Db } from './client.server'
import type { DatabaseConfig } from './config'

// PostgreSQL advisory locks, so that several app instances on one database do one at a
// time what must not run twice at once: migrating, signing audit checkpoints, registering
// a model (and recovering the store), and electing the one instance that signs
// checkpoints periodically. On SQLite one instance is the only mode: there is nothing to
// coordinate with, so these just run (the write transaction serialises the rest).

/** The lock keys, one per job; the numbers only need to differ from each other and from lib/auth/throttle.server.ts's. */
export const advisoryLockKeys = {
  migrations: 0x4d494752, // "MIGR"
  checkpoints: 0x434b5054, // "CKPT"
  models: 0x4d4f444c, // "MODL"
  checkpointLeader: 0x4c454144, // "LEAD"
} as const

// Long enough for a checkpoint over 10,000 events or a 512 MiB model file to be written.
const lockedTaskTimeoutMs = 10 * 60_000

/**
 * Runs `task` while this process holds the transaction-scoped advisory lock `key` on one
 * connection of the pool (the task itself uses others). An instance killed mid-task
 * closes that connection, which releases the lock.
 */
export async function withAdvisoryLock<T>(db: Db, key: number, task: () => Promise<T>): Promise<T> {
  if (providerOf(db) !== 'postgresql') return task()
  return db.$transaction(
    async (tx) => {
      await tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(${key})`)
      return task()
    },
    { maxWait: lockedTaskTimeoutMs, timeout: lockedTaskTimeoutMs },
  )
}

export interface Leadership {
  /** Whether this process leads now: keeps the lead while its connection lives, takes it when free. */
  check(): Promise<boolean>
  release(): Promise<void>
}

/**
 * Leader election with a session-level advisory lock on a connection of its own: the
 * instance whose connection holds `key` leads until that connection ends (a stop, a
 * crash, a network failure), and then the next instance to check takes over.
 */
export function advisoryLeadership(config: DatabaseConfig, key: number): Leadership {
  if (config.provider !== 'postgresql') return { check: async () => true, release: async () => {} }
  let client: pg.Client | null = null
  let leading = false
  const drop = () => {
    const ended = client
    client = null
    leading = false
    void ended?.end().catch(() => undefined)
  }
  return {
    async check() {
      try {
        if (!client) {
          const fresh = new pg.Client({ connectionString: config.url })
          // A connection lost while idle: the lock went with it.
          fresh.on('error', () => client === fresh && drop())
          await fresh.connect()
          client = fresh
        }
        if (leading) await client.query('SELECT 1')
        else leading = (await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [key])).rows[0]!.ok
      } catch {
        drop()
      }
      return leading
    },
    async release() {
      const ended = client
      client = null
      leading = false
      await ended?.end().catch(() => undefined)
    },
  }
}
