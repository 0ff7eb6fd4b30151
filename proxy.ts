import { NextResponse, type NextRequest } from 'next/server'
import { configuredPacsOrigins } from './lib/dicomweb/pacs-origins.server'
import { buildContentSecurityPolicy, pacsOrigins } from './lib/security/csp'
import { servedOverHttps, strictTransportSecurity } from './lib/security/transport'

// Sets a per-request CSP nonce (Next.js applies it to its own scripts). Authorisation is
// not done here: every page and route handler checks the session itself.
// connect-src lists the PACS origins from PARALLAX_PACS_ORIGINS and from the PacsServer
// table; Next 16 runs the proxy on the Node.js runtime, in the server's own process, so
// it reads the database through the same client and cache as the route handlers.
export async function proxy(request: NextRequest) {
  const nonce = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('base64')
  const connectOrigins = [...new Set([...pacsOrigins(), ...(await configuredPacsOrigins())])]
  const csp = buildContentSecurityPolicy({ nonce, dev: process.env.NODE_ENV === 'development', connectOrigins })
  const requestHeaders = new Headers(request.headers)
  requestHeaders.set('x-nonce', nonce)
  requestHeaders.set('content-security-policy', csp)
  // Lets the signed-in layout send a signed-out visitor back here after login.
  requestHeaders.set('x-parallax-path', request.nextUrl.pathname + request.nextUrl.search)
  const response = NextResponse.next({ request: { headers: requestHeaders } })
  response.headers.set('content-security-policy', csp)
  if (servedOverHttps()) response.headers.set('strict-transport-security', strictTransportSecurity)
  return response
}

export const config = {
  matcher: [{ source: '/((?!_next/static|_next/image|favicon.ico).*)' }],
}
