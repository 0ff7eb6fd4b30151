// Per-user PACS access on each database (called from data-layer-suite.ts after the PACS
// server tests): tokens issued by role and audited as 110114 / ITI-71 without the token,
// and the reverse proxy's question (GET /api/pacs/authorize) answered from the database:
// the token checked against the PACS, the method and the user as they are now, and the
// PACS credential handed only to a proxy that presents its key.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { SessionUser } from '../../lib/auth/session-user'
import type { Db } from '../../lib/db/client.server'
import type { Role } from '../../lib/vocabulary/roles'

export interface PacsAccessSuiteContext {
  db: Db
  admin: SessionUser
  assertAppError(promise: Promise<unknown>, code: string): Promise<void>
}

async function loadModules() {
  return {
    pacs: await import('../../lib/dicomweb/pacs.server'),
    access: await import('../../lib/dicomweb/pacs-access.server'),
    token: await import('../../lib/dicomweb/pacs-token'),
  }
}

export function definePacsAccessSuite(context: () => PacsAccessSuiteContext): void {
  describe('PACS access tokens and the proxy check', () => {
    let m: Awaited<ReturnType<typeof loadModules>>
    let c: PacsAccessSuiteContext
    const credential = 'Basic cGFyYWxsYXg6c2VjcmV0LXBhY3MtcGFzc3dvcmQ='
    const proxyKey = 'proxy-key-for-the-data-layer-tests-0123456789'
    const root = 'https://access.example.org/dicom-web'
    let pacsId = ''
    const users = {} as Record<Role, SessionUser>

    before(async () => {
      c = context()
      m = await loadModules()
      pacsId = (await m.pacs.createPacsServer(c.db, { name: 'Access PACS', qidoRoot: root, wadoRoot: root, authHeader: credential }, c.admin)).id
      for (const role of ['radiologist', 'researcher', 'auditor', 'admin'] as const) {
        const row = await c.db.user.create({ data: { username: `pacs-${role}`, displayName: `PACS ${role}`, role, passwordHash: 'unused' } })
        users[role] = { id: row.id, username: row.username, displayName: row.displayName, role }
      }
    })
    after(() => {
      delete process.env.PARALLAX_PACS_PROXY_KEY
    })

    const ask = (authorization: string | null, method: string, url: string | null, key: string | null = null) => {
      const headers = new Headers({ 'x-original-method': method })
      if (authorization) headers.set('authorization', authorization)
      if (url) headers.set('x-original-url', url)
      if (key) headers.set('x-parallax-proxy-key', key)
      return m.access.answerProxy(c.db, headers)
    }
    const bearer = async (role: Role, scope: 'read' | 'write') => `Bearer ${(await m.access.issuePacsToken(c.db, users[role], pacsId, scope, '198.51.100.9')).access_token}`

    it('issues a read token to a radiologist, audited as 110114 / ITI-71 without the token itself', async () => {
      const head = await c.db.auditEvent.count()
      const issued = await m.access.issuePacsToken(c.db, users.radiologist, pacsId, 'read', '198.51.100.9')
      assert.equal(issued.token_type, 'Bearer')
      assert.equal(issued.expires_in, 300)
      assert.equal(issued.scope, 'read')
      const claims = JSON.parse(Buffer.from(issued.access_token.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>
      assert.deepEqual(
        { ...claims, iat: undefined, exp: undefined, jti: undefined },
        { iss: 'parallax', sub: users.radiologist.id, aud: pacsId, scope: 'read', iat: undefined, exp: undefined, jti: undefined },
      )
      assert.equal((claims.exp as number) - (claims.iat as number), 300)
      assert.ok(!issued.access_token.includes(credential) && !Buffer.from(issued.access_token.split('.')[1]!, 'base64url').toString().includes('cGFyYWxsYXg'))

      const events = await c.db.auditEvent.findMany({ where: { seq: { gt: head } } })
      assert.equal(events.length, 1)
      const [event] = events
      assert.deepEqual([event!.eventType, event!.eventCode, event!.eventTypeCode, event!.action, event!.outcome], ['pacs-token-issued', '110114', 'ITI-71', 'E', 0])
      assert.equal(event!.actorId, users.radiologist.id)
      assert.equal(event!.sourceIp, '198.51.100.9')
      assert.equal(event!.entities, `[{"id":"${pacsId}","type":"pacs"}]`)
      assert.deepEqual(JSON.parse(event!.details), { scope: 'read', tokenId: claims.jti, expiresAt: new Date((claims.exp as number) * 1000).toISOString() })
      assert.ok(!event!.details.includes(issued.access_token.split('.')[2]!), 'the token stays out of the trail')
    })

    it('writes only for radiologists, and gives auditors and admins nothing, writing no event', async () => {
      assert.equal((await m.access.issuePacsToken(c.db, users.radiologist, pacsId, 'write', null)).scope, 'read write')
      assert.equal((await m.access.issuePacsToken(c.db, users.researcher, pacsId, 'read', null)).scope, 'read')
      const head = await c.db.auditEvent.count()
      await c.assertAppError(m.access.issuePacsToken(c.db, users.researcher, pacsId, 'write', null), 'forbidden:pacs')
      for (const role of ['auditor', 'admin'] as const) {
        for (const scope of ['read', 'write'] as const) await c.assertAppError(m.access.issuePacsToken(c.db, users[role], pacsId, scope, null), 'forbidden:pacs')
      }
      await c.assertAppError(m.access.issuePacsToken(c.db, users.radiologist, 'no-such-pacs', 'read', null), 'not_found:pacs')
      assert.equal(await c.db.auditEvent.count(), head)
    })

    it('lets a read token search and retrieve on its PACS, and nothing else', async () => {
      const read = await bearer('researcher', 'read')
      assert.equal((await ask(read, 'GET', `${root}/studies?PatientName=DOE*`)).status, 204)
      assert.equal((await ask(read, 'GET', `${root}/studies/1.2.3/series/4.5/instances/6.7/frames/1`)).status, 204)
      for (const [method, url] of [
        ['POST', `${root}/studies`],
        ['DELETE', `${root}/studies/1.2.3`],
        ['GET', 'https://access.example.org/tools/reset'],
        ['GET', `${root}/../tools`],
        ['GET', 'https://other.example.org/dicom-web/studies'],
      ] as const) {
        const answer = await ask(read, method, url)
        assert.equal(answer.status, 403, `${method} ${url}`)
        assert.match(answer.headers.get('www-authenticate') ?? '', /insufficient_scope/)
      }
      assert.equal((await ask(read, 'GET', null)).status, 403, 'a proxy that does not say what was asked gets nothing')
    })

    it('lets a write token store (STOW-RS)', async () => {
      const write = await bearer('radiologist', 'write')
      assert.equal((await ask(write, 'POST', `${root}/studies`)).status, 204)
      assert.equal((await ask(write, 'POST', `${root}/studies/1.2.840.1`)).status, 204)
      assert.equal((await ask(write, 'PUT', `${root}/studies`)).status, 403)
    })

    it('refuses missing, tampered and foreign tokens with 401', async () => {
      const read = await bearer('researcher', 'read')
      const [header, payload, signature] = read.slice('Bearer '.length).split('.') as [string, string, string]
      const widened = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), scope: 'read write' })).toString('base64url')
      for (const authorization of [null, 'Basic abc', `Bearer ${header}.${widened}.${signature}`, `Bearer ${header}.${payload}.${signature.slice(0, -2)}AA`, credential]) {
        const answer = await ask(authorization, 'GET', `${root}/studies`)
        assert.equal(answer.status, 401, String(authorization))
        assert.match(answer.headers.get('www-authenticate') ?? '', /invalid_token/)
      }
    })

    it('ends a token at once when its user is disabled or loses the role', async () => {
      const read = await bearer('researcher', 'read')
      const write = await bearer('radiologist', 'write')
      await c.db.user.update({ where: { id: users.researcher.id }, data: { disabled: true } })
      await c.db.user.update({ where: { id: users.radiologist.id }, data: { role: 'researcher' } })
      try {
        assert.equal((await ask(read, 'GET', `${root}/studies`)).status, 403)
        assert.equal((await ask(write, 'POST', `${root}/studies`)).status, 403, 'a researcher now: no more storing')
        assert.equal((await ask(write, 'GET', `${root}/studies`)).status, 204, 'reading is still the role’s')
      } finally {
        await c.db.user.update({ where: { id: users.researcher.id }, data: { disabled: false } })
        await c.db.user.update({ where: { id: users.radiologist.id }, data: { role: 'radiologist' } })
      }
    })

    it('hands the PACS credential only to a proxy presenting its key', async () => {
      const read = await bearer('radiologist', 'read')
      const without = await ask(read, 'GET', `${root}/studies`)
      assert.equal(without.status, 204)
      assert.equal(without.headers.get('x-pacs-authorization'), null, 'no key configured: no credential')
      assert.equal(without.headers.get('x-parallax-user'), users.radiologist.id)

      process.env.PARALLAX_PACS_PROXY_KEY = proxyKey
      const passed = await ask(read, 'GET', `${root}/studies`, proxyKey)
      assert.equal(passed.status, 204)
      assert.equal(passed.headers.get('x-pacs-authorization'), credential)
      assert.equal(passed.headers.get('cache-control'), 'no-store')
      for (const key of [null, `${proxyKey}x`, proxyKey.slice(1)]) {
        const refused = await ask(read, 'GET', `${root}/studies`, key)
        assert.equal(refused.status, 403, String(key))
        assert.equal(refused.headers.get('x-pacs-authorization'), null)
      }
      const denied = await ask(null, 'GET', `${root}/studies`, proxyKey)
      assert.equal(denied.status, 401)
      assert.equal(denied.headers.get('x-pacs-authorization'), null)
    })
  })
}
