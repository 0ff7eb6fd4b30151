import 'server-only'
import type { Db } from '../db/client.server'

// Login throttling: too many failed sign-ins within the window lock further attempts for
// that account (from anywhere) or from that address (for any account). The address limit
// is higher so one busy reading room does not lock out its colleagues.
export const throttlePolicy = {
  windowMs: 15 * 60 * 1000,
  maxFailuresPerAccount: 5,
  maxFailuresPerAddress: 30,
} as const

export type ThrottleVerdict = { throttled: false } | { throttled: true; scope: 'account' | 'address'; retryAfterSeconds: number }

const accountKey = (username: string) => username.trim().toLowerCase()

export async function checkLoginThrottle(db: Db, username: string, address: string, now = new Date()): Promise<ThrottleVerdict> {
  const since = new Date(now.getTime() - throttlePolicy.windowMs)
  const checks = [
    { scope: 'account' as const, key: accountKey(username), max: throttlePolicy.maxFailuresPerAccount },
    { scope: 'address' as const, key: address, max: throttlePolicy.maxFailuresPerAddress },
  ]
  for (const { scope, key, max } of checks) {
    const recent = await db.loginFailure.findMany({
      where: { scope, key, createdAt: { gt: since } },
      orderBy: { createdAt: 'desc' },
      take: max,
      select: { createdAt: true },
    })
    if (recent.length >= max) {
      const oldest = recent[recent.length - 1]!.createdAt.getTime()
      const retryAfterSeconds = Math.max(1, Math.ceil((oldest + throttlePolicy.windowMs - now.getTime()) / 1000))
      return { throttled: true, scope, retryAfterSeconds }
    }
  }
  return { throttled: false }
}

export async function recordLoginFailure(db: Db, username: string, address: string): Promise<void> {
  await db.loginFailure.createMany({
    data: [
      { scope: 'account', key: accountKey(username) },
      { scope: 'address', key: address },
    ],
  })
}

export async function clearAccountFailures(db: Db, username: string): Promise<void> {
  await db.loginFailure.deleteMany({ where: { scope: 'account', key: accountKey(username) } })
}
