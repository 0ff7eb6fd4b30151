// How long a sign-in lasts: an absolute lifetime from sign-in, and an idle timeout since
// the last request (automatic log-off, HIPAA 164.312(a)(2)(iii)). Both are checked against
// the session's database row on every request (session.server.ts), so they hold whatever
// the cookie says.

export interface SessionPolicy {
  maxAgeMs: number
  idleMs: number
}

export const defaultSessionPolicy: SessionPolicy = { maxAgeMs: 12 * 60 * 60 * 1000, idleMs: 30 * 60 * 1000 }

function positiveNumber(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw.trim() === '') return fallback
  const value = Number(raw)
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number, not "${raw}".`)
  return value
}

/** PARALLAX_SESSION_MAX_HOURS (default 12) and PARALLAX_SESSION_IDLE_MINUTES (default 30). */
export function sessionPolicyFromEnv(env: Record<string, string | undefined>): SessionPolicy {
  const hours = positiveNumber('PARALLAX_SESSION_MAX_HOURS', env.PARALLAX_SESSION_MAX_HOURS, defaultSessionPolicy.maxAgeMs / 3_600_000)
  const minutes = positiveNumber('PARALLAX_SESSION_IDLE_MINUTES', env.PARALLAX_SESSION_IDLE_MINUTES, defaultSessionPolicy.idleMs / 60_000)
  return { maxAgeMs: hours * 3_600_000, idleMs: minutes * 60_000 }
}

export interface SessionTimes {
  createdAt: Date
  lastSeenAt: Date
  revokedAt: Date | null
}

export type SessionState = 'active' | 'revoked' | 'expired' | 'idle'

export function sessionState(session: SessionTimes, now: Date, policy: SessionPolicy): SessionState {
  if (session.revokedAt) return 'revoked'
  if (now.getTime() - session.createdAt.getTime() >= policy.maxAgeMs) return 'expired'
  if (now.getTime() - session.lastSeenAt.getTime() >= policy.idleMs) return 'idle'
  return 'active'
}

/**
 * Whether a request should move lastSeenAt on: at most once a minute (or a tenth of the
 * idle timeout, if shorter), so most requests only read. The idle timeout can therefore
 * strike up to that much early, never late.
 */
export function lastSeenDue(session: SessionTimes, now: Date, policy: SessionPolicy): boolean {
  return now.getTime() - session.lastSeenAt.getTime() >= Math.min(60_000, policy.idleMs / 10)
}
