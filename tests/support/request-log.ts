import type { BrowserContext, Request } from '@playwright/test'

// Every request a browser context makes (pages and their workers), for the proof that
// pixels never leave the browser: where each went and what body it carried.

export interface LoggedRequest {
  url: string
  method: string
  resourceType: string
  body: Buffer | null
}

export function recordRequests(context: BrowserContext): LoggedRequest[] {
  const log: LoggedRequest[] = []
  const record = (request: Request) => log.push({ url: request.url(), method: request.method(), resourceType: request.resourceType(), body: request.postDataBuffer() })
  context.on('request', record)
  return log
}

/** Bodies larger than this are never needed by the app's own APIs (its route guard caps them at 64 KiB). */
const MAX_BODY_BYTES = 16 * 1024
/** A run of this many numbers in one JSON array is image or mask data, not a record. */
const MAX_NUMBER_RUN = 64

function longestNumberRun(value: unknown): number {
  if (Array.isArray(value)) {
    const numeric = value.every((item) => typeof item === 'number') ? value.length : 0
    return Math.max(numeric, ...value.map(longestNumberRun))
  }
  if (value && typeof value === 'object') return Math.max(0, ...Object.values(value).map(longestNumberRun))
  return 0
}

/**
 * Why a request may carry image data off this machine, or null. Allowed: same-origin or
 * listed origins (the PACS, for retrieval: GET only), bodies that are small JSON records or
 * form posts without long number runs, base64 blobs or binary content.
 */
export function pixelLeak(request: LoggedRequest, appOrigin: string, retrievalOrigins: readonly string[] = []): string | null {
  const url = new URL(request.url)
  if (url.protocol === 'data:' || url.protocol === 'blob:') return null
  if (url.origin !== appOrigin) {
    if (!retrievalOrigins.includes(url.origin)) return `request to another origin: ${url.origin}`
    if (request.method !== 'GET') return `${request.method} to the PACS (${url.origin}): retrieval only`
  }
  const body = request.body
  if (!body || body.length === 0) return null
  if (body.length > MAX_BODY_BYTES) return `body of ${body.length} bytes`
  const text = body.toString('utf8')
  if (!Buffer.from(text, 'utf8').equals(body)) return 'binary body'
  if (/[A-Za-z0-9+/=]{512,}/.test(text)) return 'body holds a long base64 run'
  let parsed: unknown = null
  try {
    parsed = JSON.parse(text)
  } catch {
    parsed = Object.fromEntries(new URLSearchParams(text))
  }
  const run = longestNumberRun(parsed)
  return run > MAX_NUMBER_RUN ? `body holds a run of ${run} numbers` : null
}
