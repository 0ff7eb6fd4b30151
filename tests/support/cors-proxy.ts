// A minimal reverse proxy that adds CORS, standing in for the hospital's own
// proxy in front of its PACS. Orthanc sends no CORS headers, and the browser calls the PACS
// from another origin, so a deployment needs the same from its proxy:
//   - answer preflights (OPTIONS) itself, without asking for credentials, allowing GET and
//     the Accept and Authorization request headers;
//   - put Access-Control-Allow-Origin: <the app's origin> (and Vary: Origin) on every
//     answer, errors included, or the browser hides a 401 as a network failure;
//   - optionally check the Authorization header (here: one fixed value) before forwarding;
//   - pass STOW-RS (POST …/studies) only where the PACS should take reports from readers.
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface CorsProxyOptions {
  /** Where requests go, e.g. http://127.0.0.1:8042 */
  target: string
  /** The app origin the browser sends, e.g. http://localhost:3000 */
  allowOrigin: string
  /** When set, other requests than preflights need exactly this Authorization header. */
  requiredAuthorization?: string
  /** Also forward STOW-RS stores (POST to a path ending in /studies); read-only otherwise. */
  allowStore?: boolean
}

export interface CorsProxy {
  /** http://127.0.0.1:<port> */
  url: string
  stop(): Promise<void>
}

// Hop-by-hop headers (RFC 9110 §7.6.1) are not forwarded.
const hopByHop = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade'])

export async function startCorsProxy({ target, allowOrigin, requiredAuthorization, allowStore = false }: CorsProxyOptions): Promise<CorsProxy> {
  const upstream = new URL(target)

  const corsHeaders = (request: IncomingMessage): Record<string, string> =>
    request.headers.origin === allowOrigin ? { 'access-control-allow-origin': allowOrigin, vary: 'Origin' } : { vary: 'Origin' }

  const answer = (request: IncomingMessage, response: ServerResponse, status: number, headers: Record<string, string> = {}, body = '') => {
    response.writeHead(status, { ...corsHeaders(request), ...headers })
    response.end(body)
  }

  const server = createServer((request, response) => {
    if (request.method === 'OPTIONS') {
      return answer(request, response, 204, {
        'access-control-allow-methods': allowStore ? 'GET, HEAD, POST' : 'GET, HEAD',
        'access-control-allow-headers': allowStore ? 'Accept, Authorization, Content-Type' : 'Accept, Authorization',
        'access-control-max-age': '600',
      })
    }
    const store = allowStore && request.method === 'POST' && /\/studies$/.test(new URL(request.url ?? '/', 'http://proxy').pathname)
    if (request.method !== 'GET' && request.method !== 'HEAD' && !store) return answer(request, response, 405, { allow: 'GET, HEAD, OPTIONS' })
    if (requiredAuthorization && request.headers.authorization !== requiredAuthorization) {
      return answer(request, response, 401, { 'www-authenticate': 'Bearer realm="pacs"', 'content-type': 'text/plain' }, 'Unauthorized')
    }
    const headers = Object.fromEntries(Object.entries(request.headers).filter(([name]) => !hopByHop.has(name) && name !== 'authorization'))
    const forwarded = httpRequest({ host: upstream.hostname, port: upstream.port, method: request.method, path: request.url, headers }, (upstreamResponse) => {
      const passed = Object.fromEntries(Object.entries(upstreamResponse.headers).filter(([name]) => !hopByHop.has(name)))
      response.writeHead(upstreamResponse.statusCode ?? 502, { ...passed, ...corsHeaders(request) })
      upstreamResponse.pipe(response)
    })
    forwarded.on('error', () => answer(request, response, 502, { 'content-type': 'text/plain' }, 'Bad gateway'))
    request.pipe(forwarded)
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
