// The proxy's question on fixed lookups: which requests each token lets through to which
// PACS, and why the others are refused (401 for the token, 403 for what it does not cover).
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { authorizePacsRequest, requiredScope, type AuthorizeLookups } from './pacs-authorize'
import { importPacsTokenKey, newPacsTokenClaims, signPacsToken, type PacsScope } from './pacs-token'

const now = Date.UTC(2026, 0, 2, 3, 4, 5)
const roots = { qidoRoot: 'https://pacs.example.org/qido', wadoRoot: 'https://pacs.example.org/wado' }

async function setup(userScopes: Record<string, readonly PacsScope[]> = { reader: ['read', 'write'], researcher: ['read'] }) {
  const key = await importPacsTokenKey(new TextEncoder().encode('s'.repeat(40)))
  const lookups: AuthorizeLookups = {
    key,
    pacs: async (id) => (id === 'p-1' ? roots : null),
    userScopes: async (id) => userScopes[id] ?? [],
  }
  const token = async (userId: string, scope: PacsScope, pacsId = 'p-1', at = now) =>
    `Bearer ${await signPacsToken(key, newPacsTokenClaims({ userId, pacsId, scope, now: at, id: `${userId}-${scope}` }))}`
  const ask = (authorization: string | null, method: string, originalUrl: string | null, at = now) => authorizePacsRequest({ authorization, method, originalUrl, now: at }, lookups)
  return { token, ask }
}

describe('requiredScope', () => {
  it('reads under either root, stores only by STOW-RS under the WADO-RS root', () => {
    const scope = (method: string, url: string) => requiredScope(method, new URL(url), roots)
    assert.equal(scope('GET', 'https://pacs.example.org/qido/studies?PatientName=DOE*'), 'read')
    assert.equal(scope('HEAD', 'https://pacs.example.org/wado/studies/1.2/series/3.4/instances/5.6/frames/1'), 'read')
    assert.equal(scope('GET', 'https://pacs.example.org/qido'), 'read')
    assert.equal(scope('POST', 'https://pacs.example.org/wado/studies'), 'write')
    assert.equal(scope('POST', 'https://pacs.example.org/wado/studies/1.2.840.10008'), 'write')
    for (const [method, url] of [
      ['POST', 'https://pacs.example.org/qido/studies'],
      ['POST', 'https://pacs.example.org/wado/studies/1.2/series'],
      ['DELETE', 'https://pacs.example.org/wado/studies/1.2'],
      ['PUT', 'https://pacs.example.org/wado/studies'],
      ['OPTIONS', 'https://pacs.example.org/wado/studies'],
    ]) {
      assert.equal(scope(method!, url!), null, `${method} ${url}`)
    }
    for (const url of [
      'https://pacs.example.org/qidox/studies',
      'https://pacs.example.org/qido/../admin',
      'https://pacs.example.org/qido/%2e%2e/admin',
      'http://pacs.example.org/qido/studies',
      'https://pacs.example.org:8443/qido/studies',
      'https://evil.example/qido/studies',
    ]) {
      assert.equal(scope('GET', url), 'outside-pacs', url)
    }
  })
})

describe('authorizePacsRequest', () => {
  it('lets a read token search and retrieve, and a write token store', async () => {
    const { token, ask } = await setup()
    const read = await token('researcher', 'read')
    const write = await token('reader', 'write')
    assert.equal((await ask(read, 'GET', `${roots.qidoRoot}/studies`)).status, 204)
    assert.equal((await ask(read, 'get', `${roots.wadoRoot}/studies/1/series/2/metadata`)).status, 204)
    assert.equal((await ask(write, 'POST', `${roots.wadoRoot}/studies`)).status, 204)
    assert.equal((await ask(write, 'GET', `${roots.wadoRoot}/studies/1`)).status, 204)
    const passed = await ask(write, 'POST', `${roots.wadoRoot}/studies`)
    assert.ok(passed.status === 204 && passed.claims.sub === 'reader' && passed.claims.aud === 'p-1')
  })

  it('refuses a store with a read token (403, insufficient scope)', async () => {
    const { token, ask } = await setup()
    assert.deepEqual(await ask(await token('researcher', 'read'), 'POST', `${roots.wadoRoot}/studies`), { status: 403, reason: 'insufficient-scope' })
  })

  it('refuses missing, expired and tampered tokens with 401', async () => {
    const { token, ask } = await setup()
    const url = `${roots.qidoRoot}/studies`
    assert.deepEqual(await ask(null, 'GET', url), { status: 401, reason: 'missing' })
    assert.deepEqual(await ask('Basic dXNlcjpwYXNz', 'GET', url), { status: 401, reason: 'missing' })
    assert.deepEqual(await ask(await token('researcher', 'read', 'p-1', now - 301_000), 'GET', url), { status: 401, reason: 'expired' })
    const read = await token('researcher', 'read')
    assert.deepEqual(await ask(read, 'GET', url, now + 300_000), { status: 401, reason: 'expired' })
    const [header, payload, signature] = read.slice('Bearer '.length).split('.') as [string, string, string]
    const widened = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), scope: 'read write' })).toString('base64url')
    assert.deepEqual(await ask(`Bearer ${header}.${widened}.${signature}`, 'POST', `${roots.wadoRoot}/studies`), { status: 401, reason: 'bad-signature' })
  })

  it('refuses a valid token outside what it covers with 403', async () => {
    const { token, ask } = await setup()
    const read = await token('researcher', 'read')
    assert.deepEqual(await ask(await token('researcher', 'read', 'p-2'), 'GET', `${roots.qidoRoot}/studies`), { status: 403, reason: 'unknown-pacs' })
    assert.deepEqual(await ask(read, 'GET', 'https://other.example/qido/studies'), { status: 403, reason: 'outside-pacs' })
    assert.deepEqual(await ask(read, 'DELETE', `${roots.wadoRoot}/studies/1`), { status: 403, reason: 'method' })
    assert.deepEqual(await ask(read, 'GET', null), { status: 403, reason: 'no-original-url' })
    assert.deepEqual(await ask(read, 'GET', '/qido/studies'), { status: 403, reason: 'no-original-url' })
  })

  it('follows the user as they are now: a token ends with the access behind it', async () => {
    const { token, ask } = await setup({ reader: ['read'], researcher: [] })
    assert.deepEqual(await ask(await token('researcher', 'read'), 'GET', `${roots.qidoRoot}/studies`), { status: 403, reason: 'user-not-allowed' })
    const write = await token('reader', 'write')
    assert.deepEqual(await ask(write, 'POST', `${roots.wadoRoot}/studies`), { status: 403, reason: 'user-not-allowed' })
    assert.equal((await ask(write, 'GET', `${roots.qidoRoot}/studies`)).status, 204)
  })
})
