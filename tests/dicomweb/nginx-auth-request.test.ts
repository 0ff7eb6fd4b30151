// The README's nginx configuration ("Connecting a PACS"), taken from the README itself and
// run: nginx in front of a real Orthanc that asks for HTTP Basic, asking the app's own
// authorize handler (lib/dicomweb/pacs-access.server.ts, on a scratch SQLite database) about
// each request with auth_request. Tokens pass or not as their scope says, the PACS
// credential reaches Orthanc only through nginx, CORS headers are on errors too. Skipped
// with a notice when nginx (apt-get install nginx-light) or Orthanc is missing. The block is
// started by tests/support/pacs-proxy.ts, as for the other tests that need the PACS.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { SessionUser } from '../../lib/auth/session-user'
import { missingNginx } from '../support/nginx'
import { missingOrthanc, startOrthanc, type OrthancServer } from '../support/orthanc'
import { startPacsProxy, type PacsProxy } from '../support/pacs-proxy'

const appOrigin = 'http://parallax.test'
const proxyKey = 'nginx-test-proxy-key-0123456789abcdef'

const skip = missingOrthanc() ?? missingNginx("the README's nginx configuration")
if (skip) it("the README's nginx configuration in front of Orthanc", { skip }, () => {})
else
  describe("the README's nginx configuration in front of Orthanc", () => {
    let orthanc: OrthancServer
    let app: Server
    let nginx: PacsProxy | undefined
    let pacsUrl = ''
    let dir = ''
    let m: {
      access: typeof import('../../lib/dicomweb/pacs-access.server')
      db: import('../../lib/db/client.server').Db
    }
    const users = {} as Record<'radiologist' | 'researcher', SessionUser>
    let pacsId = ''

    before(
      async () => {
        dir = mkdtempSync(path.join(tmpdir(), 'parallax-nginx-'))
        process.env.DATABASE_URL = `file:${path.join(dir, 'parallax.db')}`
        process.env.PARALLAX_SECRETS_FILE = path.join(dir, 'secrets.json')
        process.env.PARALLAX_PACS_PROXY_KEY = proxyKey
        const { getDatabase } = await import('../../lib/db/client.server')
        const { applyMigrations } = await import('../../lib/db/migrate.server')
        const database = getDatabase()
        await applyMigrations(database.config)
        m = { access: await import('../../lib/dicomweb/pacs-access.server'), db: database.db }

        orthanc = await startOrthanc({ user: { name: 'parallax', password: 'orthanc-secret-password' } })
        const { pacsStudyFiles } = await import('../support/pacs-studies')
        await orthanc.upload(pacsStudyFiles().slice(0, 3))

        // The app's authorize route, as app/api/pacs/authorize/route.ts serves it.
        app = createServer((request, response) => {
          if (!request.url?.startsWith('/api/pacs/authorize')) return void response.writeHead(404).end()
          const headers = new Headers()
          for (const [name, value] of Object.entries(request.headers)) if (typeof value === 'string') headers.set(name, value)
          void m.access.answerProxy(m.db, headers).then((answer) => {
            response.writeHead(answer.status, Object.fromEntries(answer.headers))
            response.end()
          })
        })
        await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve))
        const appPort = (app.address() as AddressInfo).port

        nginx = await startPacsProxy({ pacs: orthanc.url, origins: [appOrigin], authorizeUrl: `http://127.0.0.1:${appPort}/api/pacs/authorize`, proxyKey })
        pacsUrl = `${nginx.url}/dicom-web`
        const { createPacsServer } = await import('../../lib/dicomweb/pacs.server')
        const admin = await m.db.user.create({ data: { username: 'nginx-admin', displayName: 'Admin', role: 'admin', passwordHash: 'unused' } })
        pacsId = (
          await createPacsServer(
            m.db,
            { name: 'Orthanc via nginx', qidoRoot: pacsUrl, wadoRoot: pacsUrl, authHeader: orthanc.authorization },
            { id: admin.id, username: admin.username, displayName: admin.displayName, role: 'admin' },
          )
        ).id
        for (const role of ['radiologist', 'researcher'] as const) {
          const row = await m.db.user.create({ data: { username: `nginx-${role}`, displayName: role, role, passwordHash: 'unused' } })
          users[role] = { id: row.id, username: row.username, displayName: row.displayName, role }
        }
      },
      { timeout: 120_000 },
    )

    after(async () => {
      await nginx?.stop()
      app?.close()
      await orthanc?.stop()
      await m?.db.$disconnect()
      if (dir) rmSync(dir, { recursive: true, force: true })
    })

    const bearer = async (role: 'radiologist' | 'researcher', scope: 'read' | 'write') =>
      `Bearer ${(await m.access.issuePacsToken(m.db, users[role], pacsId, scope, null)).access_token}`
    const get = (authorization?: string) => fetch(`${pacsUrl}/studies?limit=2`, { headers: { origin: appOrigin, ...(authorization ? { authorization } : {}) } })
    const stow = (authorization: string) =>
      fetch(`${pacsUrl}/studies`, {
        method: 'POST',
        headers: { origin: appOrigin, authorization, 'content-type': 'multipart/related; type="application/dicom"; boundary=x' },
        body: '--x--\r\n',
      })

    it('answers preflights itself, for the app origin, with no token', async () => {
      const preflight = await fetch(`${pacsUrl}/studies`, {
        method: 'OPTIONS',
        headers: { origin: appOrigin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
      })
      assert.equal(preflight.status, 204)
      assert.equal(preflight.headers.get('access-control-allow-origin'), appOrigin)
      assert.match(preflight.headers.get('access-control-allow-methods') ?? '', /POST/)
      assert.match(preflight.headers.get('access-control-allow-headers') ?? '', /Authorization/)
    })

    it('names no other origin in CORS headers, preflights and answers alike', async () => {
      const origin = 'https://elsewhere.example.org'
      const preflight = await fetch(`${pacsUrl}/studies`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'GET' } })
      assert.equal(preflight.status, 204)
      assert.equal(preflight.headers.get('access-control-allow-origin'), null)
      assert.equal(preflight.headers.get('vary'), 'Origin')
      const answer = await fetch(`${pacsUrl}/studies?limit=2`, { headers: { origin, authorization: await bearer('researcher', 'read') } })
      assert.equal(answer.status, 200)
      assert.equal(answer.headers.get('access-control-allow-origin'), null)
    })

    it('passes a read token to Orthanc with the PACS credential in its place', async () => {
      const answer = await get(await bearer('researcher', 'read'))
      assert.equal(answer.status, 200, 'Orthanc asks for Basic: only the credential nginx was handed gets this far')
      assert.equal(answer.headers.get('access-control-allow-origin'), appOrigin)
      assert.equal(((await answer.json()) as unknown[]).length, 1, 'the one study uploaded')
    })

    it('refuses no token or the wrong kind with 401, CORS headers included', async () => {
      for (const authorization of [undefined, 'Bearer not.a.token', orthanc.authorization!]) {
        const answer = await get(authorization)
        assert.equal(answer.status, 401, String(authorization))
        assert.equal(answer.headers.get('access-control-allow-origin'), appOrigin)
        assert.match(answer.headers.get('www-authenticate') ?? '', /^Bearer /)
      }
    })

    it('refuses a store with a read token (403), and passes one with a write token', async () => {
      const refused = await stow(await bearer('researcher', 'read'))
      assert.equal(refused.status, 403)
      assert.equal(refused.headers.get('access-control-allow-origin'), appOrigin)
      const stored = await stow(await bearer('radiologist', 'write'))
      assert.equal(stored.status, 200)
    })

    it('refuses a tampered token', async () => {
      const token = (await bearer('researcher', 'read')).slice('Bearer '.length)
      const [header, payload, signature] = token.split('.') as [string, string, string]
      const widened = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), scope: 'read write' })).toString('base64url')
      assert.equal((await stow(`Bearer ${header}.${widened}.${signature}`)).status, 401)
    })
  })
