'use client'
import { ApiError } from '../http/api-error'
import { sendJson } from '../http/send-json.client'
import { pacsTokenResponseSchema, type PacsScope } from './pacs-token'

// The browser's PACS access tokens, one per PACS and scope, kept in memory only and renewed
// a minute before they run out, on the next request that needs one (a study left open
// asks for none). Concurrent requests (Cornerstone fetches frames in parallel) share one
// token request.

const renewBeforeMs = 60_000

interface Held {
  authorization: Promise<string>
  /** Local clock; null while the request is in flight. */
  expiresAt: number | null
}

const held = new Map<string, Held>()

async function request(pacsId: string, scope: PacsScope): Promise<{ authorization: string; expiresAt: number }> {
  const asked = Date.now()
  try {
    const token = await sendJson(`/api/pacs/${encodeURIComponent(pacsId)}/token`, 'POST', { scope }, pacsTokenResponseSchema)
    return { authorization: `Bearer ${token.access_token}`, expiresAt: asked + token.expires_in * 1000 }
  } catch (error) {
    if (error instanceof ApiError && error.status === 403) {
      throw new Error(scope === 'write' ? 'Your role does not store to the PACS.' : 'Your role does not retrieve studies from the PACS.', { cause: error })
    }
    throw new Error(`Access to the PACS could not be obtained: ${(error as Error).message}`, { cause: error })
  }
}

/** The Authorization header value for requests to this PACS (write includes read). */
export function pacsAuthorization(pacsId: string, scope: PacsScope = 'read'): Promise<string> {
  const key = `${pacsId} ${scope}`
  const current = held.get(key)
  if (current && (current.expiresAt === null || current.expiresAt - Date.now() > renewBeforeMs)) return current.authorization
  const pending = request(pacsId, scope)
  const entry: Held = { authorization: pending.then((token) => token.authorization), expiresAt: null }
  held.set(key, entry)
  pending.then(
    (token) => {
      entry.expiresAt = token.expiresAt
    },
    // A failed request is not kept: the next one asks again.
    () => {
      if (held.get(key) === entry) held.delete(key)
    },
  )
  return entry.authorization
}
