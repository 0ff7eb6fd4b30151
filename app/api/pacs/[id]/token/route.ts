import { pacsScopeRoles } from '@/lib/auth/access'
import { clientAddress } from '@/lib/auth/client-address'
import { auditAccessDenied } from '@/lib/auth/guard.server'
import { route } from '@/lib/auth/route.server'
import { getDb } from '@/lib/db/client.server'
import { issuePacsToken, scopesForRole } from '@/lib/dicomweb/pacs-access.server'
import { pacsTokenRequestSchema } from '@/lib/dicomweb/pacs-token'
import { pacsIdParamsSchema } from '@/lib/dicomweb/schema'
import { AppError } from '@/lib/errors'

// A short-lived PACS access token for the signed-in user (lib/dicomweb/pacs-access.server.ts):
// read for the roles that read studies, write (STOW-RS) for radiologists; auditors and
// admins get none. Each issuance is audited; a refused scope is audited as access denied.
export const POST = route({ roles: pacsScopeRoles.read, params: pacsIdParamsSchema, body: pacsTokenRequestSchema }, async ({ params, body, user, request }) => {
  if (!scopesForRole(user.role).includes(body.scope)) {
    await auditAccessDenied(user, request.nextUrl.pathname, request.method, request.headers)
    throw new AppError('forbidden', 'pacs', 'Your role reads from the PACS but does not store to it.')
  }
  const token = await issuePacsToken(getDb(), user, params.id, body.scope, clientAddress(request.headers))
  return Response.json(token, { headers: { 'cache-control': 'no-store' } })
})
