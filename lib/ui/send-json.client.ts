'use client'

/**
 * Sends a JSON request to one of our own route handlers and returns the parsed answer
 * (null for 204). A failed request throws an Error carrying the server's user-facing
 * message, so forms can show it as it is.
 */
export async function sendJson(url: string, method: 'POST' | 'PATCH' | 'DELETE', body?: unknown): Promise<unknown> {
  const response = await fetch(url, {
    method,
    headers: body === undefined ? undefined : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  if (response.status === 204) return null
  const payload: unknown = await response.json().catch(() => ({}))
  if (!response.ok) {
    const message = typeof payload === 'object' && payload !== null && 'message' in payload ? payload.message : null
    throw new Error(typeof message === 'string' ? message : `Request failed (${response.status})`)
  }
  return payload
}
