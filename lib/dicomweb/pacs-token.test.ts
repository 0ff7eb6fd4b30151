// PACS access tokens: signed and checked with a fixed key, at fixed times. The expected
// header and the HMAC are recomputed here with node:crypto (RFC 7515 §5), not read back
// from the code under test.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createHmac } from 'node:crypto'
import { bearerToken, importPacsTokenKey, newPacsTokenClaims, signPacsToken, verifyPacsToken, type PacsTokenClaims } from './pacs-token'

const secret = new TextEncoder().encode('k'.repeat(32))
const otherSecret = new TextEncoder().encode('j'.repeat(32))
const now = Date.UTC(2026, 0, 2, 3, 4, 5)
const claims = newPacsTokenClaims({ userId: 'u-1', pacsId: 'p-1', scope: 'read', now, id: 't-1' })

const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url')
const hmac = (input: string, key = secret) => createHmac('sha256', key).update(input).digest('base64url')
/** A token assembled by hand: any header, any claims, signed with any key. */
const forge = (header: unknown, payload: unknown, key = secret) => `${b64(header)}.${b64(payload)}.${hmac(`${b64(header)}.${b64(payload)}`, key)}`

describe('PACS access tokens', () => {
  it('are HS256 JWTs over the claims, five minutes long', async () => {
    const token = await signPacsToken(await importPacsTokenKey(secret), claims)
    const [header, payload, signature] = token.split('.')
    assert.deepEqual(JSON.parse(Buffer.from(header!, 'base64url').toString()), { alg: 'HS256', typ: 'JWT' })
    assert.deepEqual(JSON.parse(Buffer.from(payload!, 'base64url').toString()), {
      iss: 'parallax',
      sub: 'u-1',
      aud: 'p-1',
      scope: 'read',
      iat: now / 1000,
      exp: now / 1000 + 300,
      jti: 't-1',
    })
    assert.equal(signature, hmac(`${header}.${payload}`))
    assert.equal(newPacsTokenClaims({ userId: 'u-1', pacsId: 'p-1', scope: 'write', now, id: 't-2' }).scope, 'read write')
  })

  it('verify: a valid token gives its claims back until it expires', async () => {
    const key = await importPacsTokenKey(secret)
    const token = await signPacsToken(key, claims)
    assert.deepEqual(await verifyPacsToken(key, token, now), { ok: true, claims })
    assert.deepEqual(await verifyPacsToken(key, token, now + 299_000), { ok: true, claims })
    assert.deepEqual(await verifyPacsToken(key, token, now + 300_000), { ok: false, reason: 'expired' })
    assert.deepEqual(await verifyPacsToken(key, token, now + 3_600_000), { ok: false, reason: 'expired' })
  })

  it('verify: another key, a changed claim or signature, another algorithm are refused', async () => {
    const key = await importPacsTokenKey(secret)
    const token = await signPacsToken(key, claims)
    const [header, payload, signature] = token.split('.') as [string, string, string]
    const check = (candidate: string) => verifyPacsToken(key, candidate, now)
    assert.deepEqual(await verifyPacsToken(await importPacsTokenKey(otherSecret), token, now), { ok: false, reason: 'bad-signature' })
    // Scope widened, user or PACS swapped, lifetime stretched: the old signature no longer fits.
    for (const changed of [{ scope: 'read write' }, { sub: 'u-2' }, { aud: 'p-2' }, { exp: claims.exp + 3600 }]) {
      assert.deepEqual(await check(`${header}.${b64({ ...claims, ...changed })}.${signature}`), { ok: false, reason: 'bad-signature' }, JSON.stringify(changed))
    }
    const flipped = signature.slice(0, 10) + (signature[10] === 'A' ? 'B' : 'A') + signature.slice(11)
    assert.deepEqual(await check(`${header}.${payload}.${flipped}`), { ok: false, reason: 'bad-signature' })
    assert.deepEqual(await check(`${header}.${payload}.`), { ok: false, reason: 'bad-signature' })
    // alg "none" with no signature, or another algorithm named: refused before any check.
    assert.deepEqual(await check(`${b64({ alg: 'none', typ: 'JWT' })}.${payload}.`), { ok: false, reason: 'malformed' })
    assert.deepEqual(await check(forge({ alg: 'HS512', typ: 'JWT' }, claims)), { ok: false, reason: 'malformed' })
    assert.deepEqual(await check(forge({ alg: 'HS256', typ: 'JWT', kid: 'x' }, claims)), { ok: false, reason: 'malformed' })
    for (const junk of ['', 'a.b', 'a.b.c.d', `${header}.${payload}`, `${header}.!!.${signature}`, `Bearer ${token}`]) {
      assert.equal((await check(junk)).ok, false, junk)
    }
  })

  it('verify: correctly signed claims that we never issue are refused', async () => {
    const key = await importPacsTokenKey(secret)
    const signed = (payload: unknown) => verifyPacsToken(key, forge({ alg: 'HS256', typ: 'JWT' }, payload), now)
    const valid: PacsTokenClaims = claims
    assert.deepEqual(await signed(valid), { ok: true, claims })
    assert.deepEqual(await signed({ ...valid, exp: valid.iat + 3600 }), { ok: false, reason: 'too-long-lived' })
    assert.deepEqual(await signed({ ...valid, iat: valid.iat + 600, exp: valid.iat + 900 }), { ok: false, reason: 'not-yet-valid' })
    for (const bad of [{ ...valid, iss: 'someone' }, { ...valid, scope: 'write' }, { ...valid, scope: 'admin' }, { ...valid, extra: 1 }, { ...valid, sub: '' }, 'a string']) {
      assert.deepEqual(await signed(bad), { ok: false, reason: 'malformed' }, JSON.stringify(bad))
    }
  })

  it('keys need 32 bytes or more', async () => {
    await assert.rejects(importPacsTokenKey(new Uint8Array(31)), /at least 32 bytes/)
  })

  it('bearerToken reads the token from an Authorization header value', () => {
    assert.equal(bearerToken('Bearer a.b-c_d.e'), 'a.b-c_d.e')
    for (const value of [null, undefined, '', 'Basic abc', 'Bearer', 'Bearer a b', 'bearer a.b.c', 'Bearer a.b.c\r\nX: 1']) assert.equal(bearerToken(value), null, String(value))
  })
})
