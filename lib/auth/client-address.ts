// The client address used for per-IP throttling and audit. Next.js fills X-Forwarded-For
// with the socket address when a request arrives without one; behind a reverse proxy the
// proxy sets it. The last entry is the one added by the hop closest to us.
export function clientAddress(headers: Headers | Record<string, string | string[] | undefined>): string {
  const raw = headers instanceof Headers ? headers.get('x-forwarded-for') : headers['x-forwarded-for']
  const value = Array.isArray(raw) ? raw.join(',') : raw
  const entries = (value ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
  return entries.at(-1) ?? 'unknown'
}
