import 'server-only'
import { getDatabase, type Db } from '../db/client.server'

// Login throttling: too many failed sign-ins within the window lock further attempts for
// that account (from anywhere) or from that address (for any account). The address limit
// is higher so one busy reading room does not lock out its colleagues.
export const throttlePolicy = {
  windowMs: 15 * 60 * 1000,
  maxFailuresPerAccount: 5,
  maxFailuresPerAddress: 30,
} as const

export type ThrottledVerdict = { throttled: true; scope: 'account' | 'address'; retryAfterSeconds: number }

/** An attempt allowed to check its password: it counts as a failure unless released. */
export interface LoginAttempt {
  throttled: false
  accountKey: string
  ids: number[]
}

const accountKey = (username: string) => username.trim().toLowerCase()

// Serialises reservations on PostgreSQL (transaction-scoped advisory lock); on SQLite the
// write transaction already serialises them.
const postgresThrottleLock = 0x5448524f // "THRO"

/**
 * Counts a sign-in attempt before its password is checked: in one serialised transaction
 * the window is counted and, below the limits, the attempt is written as a failure. So of
 * any number of parallel attempts no more than the limit reach the password check, and
 * an attempt that is refused writes nothing (hammering a locked account does not extend
 * the lock). A successful attempt is taken back with releaseLoginAttempt.
 */
export async function reserveLoginAttempt(db: Db, username: string, address: string, now = new Date()): Promise<LoginAttempt | ThrottledVerdict> {
  const key = accountKey(username)
  const since = new Date(now.getTime() - throttlePolicy.windowMs)
  const checks = [
    { scope: 'account' as const, key, max: throttlePolicy.maxFailuresPerAccount },
    { scope: 'address' as const, key: address, max: throttlePolicy.maxFailuresPerAddress },
  ]
  return db.$transaction(async (tx): Promise<LoginAttempt | ThrottledVerdict> => {
    if (getDatabase().config.provider === 'postgresql') {
      await tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(${postgresThrottleLock})`)
    }
    for (const check of checks) {
      const recent = await tx.loginFailure.findMany({
        where: { scope: check.scope, key: check.key, createdAt: { gt: since } },
        orderBy: { createdAt: 'desc' },
        take: check.max,
        select: { createdAt: true },
      })
      if (recent.length >= check.max) {
        const oldest = recent.at(-1)!.createdAt.getTime()
        const retryAfterSeconds = Math.max(1, Math.ceil((oldest + throttlePolicy.windowMs - now.getTime()) / 1000))
        return { throttled: true, scope: check.scope, retryAfterSeconds }
      }
    }
    const rows = await tx.loginFailure.createManyAndReturn({
      data: checks.map((check) => ({ scope: check.scope, key: check.key, createdAt: now })),
      select: { id: true },
    })
    return { throttled: false, accountKey: key, ids: rows.map((row) => row.id) }
  })
}

/** A successful sign-in: its own reservation goes, and so do the account's earlier failures. */
export async function releaseLoginAttempt(db: Db, attempt: LoginAttempt): Promise<void> {
  await db.loginFailure.deleteMany({ where: { OR: [{ id: { in: attempt.ids } }, { scope: 'account', key: attempt.accountKey }] } })
}
