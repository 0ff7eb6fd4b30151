// The client address used for per-address throttling and in the audit trail. Next.js keeps
// whatever X-Forwarded-For a client sends, so the production server (scripts/serve.ts)
// decides the address itself, from the socket or from a configured number of trusted proxy
// hops, and hands the app that one address as X-Forwarded-For. Only a valid IP address is
// ever returned: a client-chosen string never reaches the audit trail or a throttle key.

const ipv4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/
const ipv6Characters = /^[0-9a-f:.]+$/i

/** An IPv4 or IPv6 address in canonical form (IPv4-mapped IPv6 as plain IPv4), or null. */
export function normalizeIpAddress(value: string | undefined): string | null {
  // A socket address can carry an IPv6 zone ("fe80::1%eth0"); the zone names our interface.
  const candidate = value?.trim().split('%')[0] ?? ''
  if (ipv4.test(candidate)) return candidate
  if (!candidate.includes(':') || !ipv6Characters.test(candidate)) return null
  let host: string
  try {
    host = new URL(`http://[${candidate}]/`).hostname.slice(1, -1)
  } catch {
    return null
  }
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(host)
  if (!mapped) return host
  const [high, low] = [parseInt(mapped[1]!, 16), parseInt(mapped[2]!, 16)]
  return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.')
}

function forwardedEntries(raw: string | string[] | undefined | null): string[] {
  const value = Array.isArray(raw) ? raw.join(',') : raw
  return (value ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
}

/**
 * The client of a request that reached our socket from `socketAddress`, passing through
 * `trustedHops` reverse proxies that each appended the address they saw to X-Forwarded-For.
 * With 0 hops the socket is the client and every header is ignored. Entries left of the
 * trusted ones were written by the client and are never used. When the chosen entry is not
 * an IP address (a misconfigured proxy), the socket address stands in.
 */
export function resolveClientAddress(socketAddress: string | undefined, forwardedFor: string | string[] | undefined, trustedHops: number): string | null {
  const chain = [...forwardedEntries(forwardedFor), socketAddress ?? '']
  const chosen = chain[Math.max(0, chain.length - 1 - trustedHops)]
  return normalizeIpAddress(chosen) ?? normalizeIpAddress(socketAddress)
}

/** PARALLAX_TRUSTED_PROXY_HOPS: how many reverse proxies in front of us append to X-Forwarded-For. */
export function trustedProxyHops(raw: string | undefined): number {
  if (raw === undefined || raw.trim() === '') return 0
  const hops = Number(raw)
  if (!Number.isInteger(hops) || hops < 0 || hops > 16) {
    throw new Error(`PARALLAX_TRUSTED_PROXY_HOPS must be a whole number from 0 to 16 (the reverse proxies in front of the app), not "${raw}".`)
  }
  return hops
}

/**
 * The client address as the app sees it: the one the production server put in
 * X-Forwarded-For (its last entry), validated, or "unknown".
 */
export function clientAddress(headers: Headers | Record<string, string | string[] | undefined>): string {
  const raw = headers instanceof Headers ? headers.get('x-forwarded-for') : headers['x-forwarded-for']
  return normalizeIpAddress(forwardedEntries(raw).at(-1)) ?? 'unknown'
}
