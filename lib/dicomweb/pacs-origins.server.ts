import 'server-only'
import { getDb } from '../db/client.server'
import { createOriginCache, originsOf, type OriginCache } from './pacs-origins'

// One cache per process, kept on globalThis: Next bundles proxy.ts apart from the route
// handlers, so a module-level variable would give the proxy and the admin API two
// different caches, and an admin's change would not invalidate the one the CSP reads.
const globalForOrigins = globalThis as unknown as { parallaxPacsOrigins?: OriginCache }

function cache(): OriginCache {
  globalForOrigins.parallaxPacsOrigins ??= createOriginCache(async () => originsOf(await getDb().pacsServer.findMany({ select: { qidoRoot: true, wadoRoot: true } })))
  return globalForOrigins.parallaxPacsOrigins
}

/** Origins of every configured PACS server (cached; see pacs-origins.ts). */
export function configuredPacsOrigins(): Promise<string[]> {
  return cache().get()
}

/** Call after a PACS server change has committed. */
export function invalidatePacsOrigins(): void {
  cache().invalidate()
}
