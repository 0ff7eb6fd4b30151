// A minimal reverse proxy in front of a PACS, standing in for the hospital's own (the
// README's nginx configuration does the same):
//   - answer preflights (OPTIONS) itself, without asking for credentials, allowing GET, HEAD
//     and POST (STOW-RS) and the Accept, Authorization and Content-Type request headers;
//   - put Access-Control-Allow-Origin: <the app's origin> (and Vary: Origin) on every
//     answer, errors included, or the browser hides a 401 as a network failure;
//   - ask whether each request may pass (the browser's access token, the method, the URL):
//     `appAuthorizer` asks the app's GET /api/pacs/authorize as nginx's auth_request does,
//     `tokenAuthorizer` checks the token itself with the same code (lib/dicomweb/pacs-authorize.ts);
//   - never forward the browser's Authorization header: the PACS gets its own credential,
//     as the app hands it to a proxy that presents the proxy key.
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { authorizePacsRequest, type PacsRoots } from '../../lib/dicomweb/pacs-authorize'
import type { PacsScope } from '../../lib/dicomweb/pacs-token'

export interface ProxyVerdict {
  /** 2xx: forward; 401 or 403: refuse with it; anything else: the authorizer failed (500). */
  status: number
  /** The PACS credential to send upstream instead of the browser's token. */
  upstreamAuthorization?: string | null
}

export type ProxyAuthorizer = (request: { method: string; url: string; authorization: string | null }) => Promise<ProxyVerdict>

export interface CorsProxyOptions {
  /** Where requests go, e.g. http://127.0.0.1:8042 */
  target: string
  /** The app origin the browser sends, e.g. http://localhost:3000 */
  allowOrigin: string
  authorize: ProxyAuthorizer
}

export interface CorsProxy {
  /** http://127.0.0.1:<port> */
  url: string
  /** Requests refused, by status, since the proxy started. */
  refused: { method: string; path: string; status: number }[]
  stop(): Promise<void>
}

/** Asks the app, as nginx's auth_request does (README, "Connecting a PACS"). */
export function appAuthorizer(appUrl: string, proxyKey: string): ProxyAuthorizer {
  return async ({ method, url, authorization }) => {
    const headers: Record<string, string> = { 'x-original-method': method, 'x-original-url': url, 'x-parallax-proxy-key': proxyKey }
    if (authorization) headers.authorization = authorization
    const answer = await fetch(`${appUrl}/api/pacs/authorize`, { headers, redirect: 'manual' })
    return { status: answer.status, upstreamAuthorization: answer.headers.get('x-pacs-authorization') }
  }
}

/** Checks the token here, with the app's own code and a key the test holds. */
export function tokenAuthorizer({
  key,
  pacs,
  scopes,
}: {
  key: CryptoKey
  pacs: (id: string) => PacsRoots | null
  scopes: (userId: string) => readonly PacsScope[]
}): ProxyAuthorizer {
  return async ({ method, url, authorization }) => {
    const decision = await authorizePacsRequest(
      { authorization, method, originalUrl: url, now: Date.now() },
      { key, pacs: async (id) => pacs(id), userScopes: async (userId) => scopes(userId) },
    )
    return { status: decision.status }
  }
}

// Hop-by-hop headers (RFC 9110 §7.6.1) are not forwarded.
const hopByHop = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade'])

export async function startCorsProxy({ target, allowOrigin, authorize }: CorsProxyOptions): Promise<CorsProxy> {
  const upstream = new URL(target)
  const refused: CorsProxy['refused'] = []

  const corsHeaders = (request: IncomingMessage): Record<string, string> =>
    request.headers.origin === allowOrigin ? { 'access-control-allow-origin': allowOrigin, vary: 'Origin' } : { vary: 'Origin' }

  const answer = (request: IncomingMessage, response: ServerResponse, status: number, headers: Record<string, string> = {}, body = '') => {
    response.writeHead(status, { ...corsHeaders(request), ...headers })
    response.end(body)
  }

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    if (request.method === 'OPTIONS') {
      return answer(request, response, 204, {
        'access-control-allow-methods': 'GET, HEAD, POST',
        'access-control-allow-headers': 'Accept, Authorization, Content-Type',
        'access-control-max-age': '600',
      })
    }
    const method = request.method ?? 'GET'
    const url = `http://${request.headers.host}${request.url ?? '/'}`
    let verdict: ProxyVerdict
    try {
      verdict = await authorize({ method, url, authorization: request.headers.authorization ?? null })
    } catch {
      verdict = { status: 500 }
    }
    if (verdict.status < 200 || verdict.status > 299) {
      const status = verdict.status === 401 || verdict.status === 403 ? verdict.status : 500
      refused.push({ method, path: request.url ?? '/', status })
      request.resume()
      const challenge: Record<string, string> = status === 401 ? { 'www-authenticate': 'Bearer realm="pacs"' } : {}
      return answer(
        request,
        response,
        status,
        { ...challenge, 'content-type': 'text/plain' },
        status === 401 ? 'Unauthorized' : status === 403 ? 'Forbidden' : 'Authorization failed',
      )
    }
    const headers: Record<string, string | string[] | undefined> = Object.fromEntries(
      Object.entries(request.headers).filter(([name]) => !hopByHop.has(name) && name !== 'authorization'),
    )
    if (verdict.upstreamAuthorization) headers.authorization = verdict.upstreamAuthorization
    const forwarded = httpRequest({ host: upstream.hostname, port: upstream.port, method, path: request.url, headers }, (upstreamResponse) => {
      const passed = Object.fromEntries(Object.entries(upstreamResponse.headers).filter(([name]) => !hopByHop.has(name) && name !== 'www-authenticate'))
      response.writeHead(upstreamResponse.statusCode ?? 502, { ...passed, ...corsHeaders(request) })
      upstreamResponse.pipe(response)
    })
    forwarded.on('error', () => answer(request, response, 502, { 'content-type': 'text/plain' }, 'Bad gateway'))
    request.pipe(forwarded)
  }

  const server = createServer((request, response) => void handle(request, response))

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    refused,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
