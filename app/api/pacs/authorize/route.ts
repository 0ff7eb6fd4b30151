import { getDb } from '@/lib/db/client.server'
import { answerProxy } from '@/lib/dicomweb/pacs-access.server'

// Asked by the reverse proxy in front of a PACS (nginx auth_request, README "Connecting a
// PACS"), not by browsers: may this request pass? The proxy forwards the browser's
// Authorization header with X-Original-Method and X-Original-URL. No session: the token is
// the credential. 204 / 401 / 403.
export async function GET(request: Request): Promise<Response> {
  try {
    return await answerProxy(getDb(), request.headers)
  } catch (error) {
    console.error('[api] GET /api/pacs/authorize failed', error)
    return new Response(null, { status: 500, headers: { 'cache-control': 'no-store' } })
  }
}
