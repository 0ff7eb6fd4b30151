// The reverse proxy in front of a PACS for tests: Debian's nginx running the README's own
// configuration ("Connecting a PACS"), so the documented block is what the tests run.
// nginx answers preflights itself, names an allowed page origin back in
// Access-Control-Allow-Origin on every answer (errors included, or the browser hides a 401
// as a network failure), asks an authorizer about each request with auth_request (the
// app's GET /api/pacs/authorize, or `startTokenAuthorizer` below), and sends the PACS
// credential the authorizer hands over upstream in place of the browser's token. Its
// access log is the record of what it passed and refused.
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { authorizePacsRequest, type PacsRoots } from '../../lib/dicomweb/pacs-authorize'
import type { PacsScope } from '../../lib/dicomweb/pacs-token'
import { freePort } from './free-port'
import { readAccessLog, readmeNginxBlock, startNginx, type LoggedRequest } from './nginx'

export type { LoggedRequest } from './nginx'

export interface PacsProxyOptions {
  /** The PACS itself, e.g. Orthanc's http://127.0.0.1:<port> */
  pacs: string
  /** The page origins CORS allows, e.g. the app's http://localhost:3000 */
  origins: readonly string[]
  /** Asked about each request, e.g. http://localhost:3000/api/pacs/authorize */
  authorizeUrl: string
  /** What nginx presents to the authorizer as X-Parallax-Proxy-Key. */
  proxyKey: string
}

export interface PacsProxy {
  /** http://127.0.0.1:<port>; the DICOMweb root is `${url}/dicom-web`. */
  url: string
  /** The requests nginx has answered so far (its access log), in the order it finished them. */
  requests(): LoggedRequest[]
  /**
   * The requests logged after the first `since`, once there are `count` of them: nginx
   * writes a line just after the answer has gone out, so a client can be a moment ahead.
   */
  loggedSince(since: number, count: number): Promise<LoggedRequest[]>
  stop(): Promise<void>
}

export async function startPacsProxy({ pacs, origins, authorizeUrl, proxyKey }: PacsProxyOptions): Promise<PacsProxy> {
  const dir = mkdtempSync(path.join(tmpdir(), 'parallax-pacs-proxy-'))
  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  const accessLog = path.join(dir, 'access.log')
  const config = readmeNginxBlock('auth_request', [
    ['listen 443 ssl;', `listen 127.0.0.1:${port};`],
    ['    ssl_certificate /etc/ssl/pacs.example.org.pem;\n', ''],
    ['    ssl_certificate_key /etc/ssl/pacs.example.org.key;\n', ''],
    ['https://parallax.example.org/api/pacs/authorize', authorizeUrl],
    ['    "https://parallax.example.org" $http_origin;\n', origins.map((origin) => `    "${origin}" $http_origin;\n`).join('')],
    ['http://127.0.0.1:8042', pacs],
    ['the value of PARALLAX_PACS_PROXY_KEY', proxyKey],
  ])
  let nginx
  try {
    nginx = await startNginx(dir, config, async () => (await fetch(`${url}/dicom-web/studies`, { method: 'OPTIONS' })).status === 204, { accessLog })
  } catch (error) {
    rmSync(dir, { recursive: true, force: true })
    throw error
  }
  const requests = () => readAccessLog(accessLog)
  return {
    url,
    requests,
    async loggedSince(since, count) {
      for (let tries = 0; requests().length < since + count && tries < 50; tries++) await new Promise((resolve) => setTimeout(resolve, 20))
      return requests().slice(since)
    },
    async stop() {
      await nginx.stop()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

export interface TokenAuthorizer {
  /** The URL to give `startPacsProxy` as `authorizeUrl`. */
  url: string
  stop(): Promise<void>
}

/**
 * Answers nginx's auth_request as GET /api/pacs/authorize does (204, or 401 / 403 with a
 * Bearer challenge), deciding with the app's own code (lib/dicomweb/pacs-authorize.ts) on
 * a key the test holds and fixed PACS roots and scopes: for tests that run without the
 * app's server and database. It hands over no PACS credential.
 */
export async function startTokenAuthorizer({
  key,
  pacs,
  scopes,
}: {
  key: CryptoKey
  pacs: (id: string) => PacsRoots | null
  scopes: (userId: string) => readonly PacsScope[]
}): Promise<TokenAuthorizer> {
  const challenge = { 401: 'Bearer realm="pacs", error="invalid_token"', 403: 'Bearer realm="pacs", error="insufficient_scope"' }
  const server = createServer((request, response) => {
    const header = (name: string) => (typeof request.headers[name] === 'string' ? request.headers[name] : null)
    authorizePacsRequest(
      { authorization: header('authorization'), method: header('x-original-method') ?? '', originalUrl: header('x-original-url'), now: Date.now() },
      { key, pacs: async (id) => pacs(id), userScopes: async (userId) => scopes(userId) },
    ).then(
      (decision) => response.writeHead(decision.status, decision.status === 204 ? {} : { 'www-authenticate': challenge[decision.status] }).end(),
      () => response.writeHead(500).end(),
    )
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/api/pacs/authorize`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
