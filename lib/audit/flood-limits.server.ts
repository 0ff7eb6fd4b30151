import 'server-only'
import { isIPv4, isIPv6 } from 'node:net'
import type { Db } from '../db/client.server'
import { TokenBuckets, type TokenBucketPolicy } from '../security/token-bucket'
import { recordAudit } from './append.server'
import type { AuditActor, AuditEventInput, AuditEventType } from './events'

// Flood limits on what anyone can make the trail grow by: events the browser reports (per
// user) and events from requests nobody is signed in to, failed sign-ins and failed
// returns from the single sign-on provider (per client address as client-address.ts
// decides it, and all of them together). Over a limit, a reported event is refused (429)
// and an anonymous one is not written; either way the first of each burst leaves one
// audit-events-limited event (110133, audit recording stopped), so the trail says that
// and for whom it held back. Failed sign-ins still count toward the login throttle, which
// by then refuses that address anyway (30 failures per 15 minutes, below its budget here).
//
// The buckets live in this process's memory, bounded by maxKeys: Parallax serves from one
// process (scripts/serve.ts), so one process's count is the count; a restart forgets them, which
// grants one fresh burst and cannot be caused from outside; several processes behind a load
// balancer would each allow their own budget, still a bound. Nothing here is a security
// decision (who may do what); it only bounds how fast the append-only trail can grow.

export interface FloodPolicy {
  clientEventsPerUser: TokenBucketPolicy
  anonymousPerAddress: TokenBucketPolicy
  anonymousOverall: TokenBucketPolicy
}

export const floodPolicy: FloodPolicy = {
  // A reader opens studies, searches and runs models: a few events a minute; bursts of a worklist.
  clientEventsPerUser: { capacity: 120, refillPerSecond: 1, maxKeys: 10_000 },
  // Matches the login throttle's 30 failures per address in 15 minutes, with room for its 429s.
  anonymousPerAddress: { capacity: 40, refillPerSecond: 1 / 30, maxKeys: 10_000 },
  // Whatever the number of addresses: a backstop for the whole trail.
  anonymousOverall: { capacity: 400, refillPerSecond: 2, maxKeys: 1 },
}

/**
 * The key an address is limited by: IPv4 addresses as they are, IPv6 by their /64 (one
 * host commonly holds a whole /64, so single addresses would not bound it).
 */
export function addressKey(address: string): string {
  const plain = address.replace(/^\[|\]$/g, '')
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(plain)
  if (mapped && isIPv4(mapped[1]!)) return mapped[1]!
  if (isIPv4(plain) || !isIPv6(plain)) return plain.slice(0, 64)
  const [head = '', tail = ''] = plain.toLowerCase().split('::')
  const left = head ? head.split(':') : []
  const right = plain.includes('::') ? (tail ? tail.split(':') : []) : []
  const groups = plain.includes('::') ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right] : left
  return `${groups
    .slice(0, 4)
    .map((group) => group.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`
}

export type ClientEventVerdict = { ok: true } | { ok: false; retryAfterSeconds: number }

export function createFloodLimits(policy: FloodPolicy, now: () => number = Date.now) {
  const perUser = new TokenBuckets(policy.clientEventsPerUser)
  const perAddress = new TokenBuckets(policy.anonymousPerAddress)
  const overall = new TokenBuckets(policy.anonymousOverall)

  /**
   * An anonymous source's notice spends from the overall budget like any anonymous event;
   * when that is spent too, the first refusal of its burst is the one notice that says so.
   */
  async function anonymousNotice(db: Db, scope: 'address' | 'anonymous', eventType: AuditEventType, sourceIp: string) {
    const byAll = scope === 'address' ? overall.take('all', now()) : null
    if (byAll?.ok) await recordAudit(db, { type: 'audit-events-limited', scope, eventType }, { actor: null, sourceIp })
    else if (!byAll || byAll.firstRefusal) await recordAudit(db, { type: 'audit-events-limited', scope: 'anonymous', eventType }, { actor: null, sourceIp })
  }

  return {
    /** Whether the user may report one more event now; the first refusal of a burst is recorded. */
    async admitClientEvent(db: Db, actor: AuditActor, sourceIp: string | null, eventType: AuditEventType): Promise<ClientEventVerdict> {
      const verdict = perUser.take(actor.id, now())
      if (verdict.ok) return verdict
      if (verdict.firstRefusal) await recordAudit(db, { type: 'audit-events-limited', scope: 'user', eventType }, { actor, sourceIp })
      return { ok: false, retryAfterSeconds: verdict.retryAfterSeconds }
    },

    /**
     * Records an event of a request nobody is signed in to (a failed sign-in) while its
     * address and all anonymous requests together are within their budgets; returns
     * whether it was written.
     */
    async recordAnonymousAudit(db: Db, event: AuditEventInput, sourceIp: string): Promise<boolean> {
      const byAddress = perAddress.take(addressKey(sourceIp), now())
      if (!byAddress.ok) {
        if (byAddress.firstRefusal) await anonymousNotice(db, 'address', event.type, sourceIp)
        return false
      }
      const byAll = overall.take('all', now())
      if (!byAll.ok) {
        if (byAll.firstRefusal) await anonymousNotice(db, 'anonymous', event.type, sourceIp)
        return false
      }
      await recordAudit(db, event, { actor: null, sourceIp })
      return true
    },
  }
}

export type FloodLimits = ReturnType<typeof createFloodLimits>

const shared = globalThis as unknown as { parallaxFloodLimits?: FloodLimits }

/** The process's limits (one set, whichever route bundle asks). */
export function floodLimits(): FloodLimits {
  shared.parallaxFloodLimits ??= createFloodLimits(floodPolicy)
  return shared.parallaxFloodLimits
}
