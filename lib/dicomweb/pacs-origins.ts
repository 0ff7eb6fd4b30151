// The origins of the configured PACS servers, which the CSP's connect-src must allow.
// proxy.ts builds the CSP for every request, so the list is cached with a short TTL; a
// change made through this process invalidates it at once, other processes (several app
// instances behind a load balancer) pick it up within the TTL.
// Pure: the loader is injected, so the cache is tested without a database.

export const pacsOriginsTtlMs = 15_000

export interface OriginCache {
  get(): Promise<string[]>
  invalidate(): void
}

export function originsOf(servers: readonly { qidoRoot: string; wadoRoot: string }[]): string[] {
  return [...new Set(servers.flatMap((server) => [new URL(server.qidoRoot).origin, new URL(server.wadoRoot).origin]))].sort()
}

export function createOriginCache(load: () => Promise<string[]>, ttlMs = pacsOriginsTtlMs, now: () => number = Date.now): OriginCache {
  let cached: { origins: string[]; expiresAt: number } | null = null
  let pending: Promise<string[]> | null = null
  // Bumped by invalidate(): a load that started before a change must not store its result.
  let generation = 0

  return {
    async get() {
      if (cached && now() < cached.expiresAt) return cached.origins
      if (pending) return pending
      const started = generation
      const loading = load().then(
        (origins) => {
          if (started === generation) cached = { origins, expiresAt: now() + ttlMs }
          return origins
        },
        (error: unknown) => {
          // Failing closed: without the list the CSP allows only our own origin. Nothing is
          // cached, so the next request tries again.
          console.error('[csp] could not read the configured PACS servers; allowing none this time', error)
          return []
        },
      )
      pending = loading
      void loading.finally(() => {
        if (pending === loading) pending = null
      })
      return loading
    },
    invalidate() {
      generation += 1
      cached = null
      pending = null
    },
  }
}
