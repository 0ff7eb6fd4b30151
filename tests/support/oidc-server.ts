// A real OpenID Connect provider on loopback (the `oidc-provider` package, certified
// OpenID), for the single sign-on end-to-end tests: one confidential client for Parallax,
// the users of oidc-fixture.ts with a `groups` claim, PKCE required, and a minimal login
// page of our own so Chromium signs in through a real form. Consent is granted for the
// first-party client without asking, as IdPs usually configure their own apps.
//
//   npx tsx tests/support/oidc-server.ts        (playwright.config.ts starts it)
import { generateKeyPairSync, randomBytes } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { pathToFileURL } from 'node:url'
import Provider, { type KoaContextWithOIDC } from 'oidc-provider'
import { idpUsers, oidcClient, oidcIssuer, oidcPort, type IdpUser } from './oidc-fixture'

const scopes = 'openid profile email groups'

function findUser(predicate: (user: IdpUser) => boolean): IdpUser | undefined {
  return Object.values(idpUsers).find(predicate)
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

function loginPage(uid: string, clientName: string, error: string | null): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Loopback IdP: sign in</title></head>
<body>
  <h1>Sign in to continue to ${escapeHtml(clientName)}</h1>
  <form method="post" action="/interaction/${escapeHtml(uid)}/login" data-testid="idp-login-form">
    <label>Username <input name="username" autocomplete="username" data-testid="idp-username" required></label>
    <label>Password <input name="password" type="password" autocomplete="current-password" data-testid="idp-password" required></label>
    <button type="submit" data-testid="idp-submit">Sign in</button>
    <p role="alert" data-testid="idp-error">${error ? escapeHtml(error) : ''}</p>
  </form>
</body></html>`
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    size += (chunk as Buffer).length
    if (size > 16_384) throw new Error('form too large')
    chunks.push(chunk as Buffer)
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'))
}

function send(res: ServerResponse, status: number, html: string) {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' })
  res.end(html)
}

export function createOidcProvider({ issuer, appUrl }: { issuer: string; appUrl: string }): Provider {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
  return new Provider(issuer, {
    clients: [
      {
        client_id: oidcClient.id,
        client_secret: oidcClient.secret,
        client_name: 'Parallax',
        redirect_uris: [`${appUrl}/api/auth/callback/oidc`],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    jwks: { keys: [{ ...privateKey.export({ format: 'jwk' }), kid: 'e2e-rs256', alg: 'RS256', use: 'sig' }] },
    cookies: {
      keys: [randomBytes(32).toString('base64url')],
      // Plain http on loopback: SameSite=None cookies would need Secure, so both are Lax.
      long: { signed: true, sameSite: 'lax' },
      short: { signed: true, sameSite: 'lax' },
    },
    claims: { openid: ['sub'], profile: ['name', 'preferred_username'], email: ['email', 'email_verified'], groups: ['groups'] },
    scopes: scopes.split(' '),
    features: { devInteractions: { enabled: false } },
    ttl: { AccessToken: 600, AuthorizationCode: 60, Grant: 3600, IdToken: 600, Interaction: 600, Session: 3600 },
    // The app must send PKCE; without it the provider refuses the authorization request.
    pkce: { methods: ['S256'], required: () => true },
    interactions: { url: (_ctx: KoaContextWithOIDC, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    async loadExistingGrant(ctx: KoaContextWithOIDC) {
      const { oidc } = ctx
      const grantId = oidc.result?.consent?.grantId ?? oidc.session?.grantIdFor(oidc.client!.clientId)
      if (grantId) return oidc.provider.Grant.find(grantId)
      const grant = new oidc.provider.Grant({ clientId: oidc.client!.clientId, accountId: oidc.session!.accountId })
      grant.addOIDCScope(scopes)
      await grant.save()
      return grant
    },
    async findAccount(_ctx: KoaContextWithOIDC, sub: string) {
      const user = findUser((candidate) => candidate.sub === sub)
      if (!user) return undefined
      return {
        accountId: sub,
        async claims() {
          return { sub, name: user.name, preferred_username: user.username, email: user.email, email_verified: true, groups: user.groups }
        },
      }
    },
  })
}

/** Serves the provider on loopback, with the login interaction in front of it. */
export async function startOidcServer({ issuer, port, appUrl }: { issuer: string; port: number; appUrl: string }): Promise<Server> {
  const provider = createOidcProvider({ issuer, appUrl })
  const oidc = provider.callback()
  const server = createServer((req, res) => {
    const match = /^\/interaction\/([\w-]+)(\/login)?$/.exec(new URL(req.url ?? '/', issuer).pathname)
    if (!match) return void oidc(req, res)
    interaction(provider, req, res, match[2] === '/login').catch((error: unknown) => send(res, 400, `<p>${escapeHtml(String(error))}</p>`))
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', resolve)
  })
  return server
}

async function interaction(provider: Provider, req: IncomingMessage, res: ServerResponse, submitted: boolean) {
  const details = await provider.interactionDetails(req, res)
  if (details.prompt.name !== 'login') return send(res, 501, `<p>prompt ${escapeHtml(details.prompt.name)} is not supported here</p>`)
  const client = await provider.Client.find(String(details.params.client_id))
  const clientName = client?.clientName ?? String(details.params.client_id)
  if (!submitted || req.method !== 'POST') return send(res, 200, loginPage(details.uid, clientName, null))
  const form = await readForm(req)
  const user = findUser((candidate) => candidate.username === form.get('username') && candidate.password === form.get('password'))
  if (!user) return send(res, 401, loginPage(details.uid, clientName, 'Unknown username or wrong password.'))
  await provider.interactionFinished(req, res, { login: { accountId: user.sub } }, { mergeWithLastSubmission: false })
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const appUrl = process.env.PARALLAX_E2E_APP_URL ?? `http://localhost:${process.env.PORT ?? 3000}`
  await startOidcServer({ issuer: oidcIssuer, port: oidcPort, appUrl })
  console.log(`[oidc] provider ${oidcIssuer} for ${appUrl}`)
}
