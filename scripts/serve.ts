// The production HTTP server: Next.js behind a plain Node server that decides the client
// address before Next sees the request. Next keeps any X-Forwarded-For a client sends (it
// fills the socket address in only when there is none), so a client could choose the
// address that throttling counts and the audit trail records. Here X-Forwarded-For is
// replaced by the one address we trust: the socket's, or with PARALLAX_TRUSTED_PROXY_HOPS=n
// the one the n-th reverse proxy in front of us appended (lib/auth/client-address.ts).
// Started by scripts/start.ts after the database is ready; honours PORT (default 3000).
import { createServer } from 'node:http'
import path from 'node:path'
import next from 'next'
import { resolveClientAddress, trustedProxyHops } from '../lib/auth/client-address'
import { sessionPolicyFromEnv } from '../lib/auth/session-policy'

const root = path.resolve(import.meta.dirname, '..')
const port = Number(process.env.PORT ?? 3000)
const hops = trustedProxyHops(process.env.PARALLAX_TRUSTED_PROXY_HOPS)
// Read again by the app; checked here so a malformed value stops the start, not every request.
sessionPolicyFromEnv(process.env)

const app = next({ dev: false, dir: root, port })
await app.prepare()
const handle = app.getRequestHandler()

const server = createServer((request, response) => {
  const address = resolveClientAddress(request.socket.remoteAddress, request.headers['x-forwarded-for'], hops)
  if (address) request.headers['x-forwarded-for'] = address
  else delete request.headers['x-forwarded-for']
  handle(request, response).catch((error: unknown) => {
    console.error('[server] request failed', error)
    if (!response.headersSent) response.writeHead(500)
    response.end()
  })
})
// Node closes an idle keep-alive socket after 5 s, the moment a client (or nginx's upstream
// pool, idle for up to 60 s) may be reusing it, which surfaces as ECONNRESET on a request
// that never reached us. Idle sockets are kept longer than any client here keeps them.
server.keepAliveTimeout = 75_000
server.headersTimeout = 80_000
server.listen(port, () => {
  console.log(`[server] ready on http://localhost:${port}; client address from ${hops ? `${hops} trusted proxy hop(s)` : 'the socket'}`)
})
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    server.close()
    void app.close().finally(() => process.exit(0))
  })
}
