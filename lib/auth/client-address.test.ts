import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { clientAddress, normalizeIpAddress, resolveClientAddress, trustedProxyHops } from './client-address'

describe('normalizeIpAddress', () => {
  it('accepts IPv4 and IPv6 addresses, in canonical form', () => {
    assert.equal(normalizeIpAddress('203.0.113.7'), '203.0.113.7')
    assert.equal(normalizeIpAddress(' 2001:DB8:0:0::1 '), '2001:db8::1')
    assert.equal(normalizeIpAddress('::1'), '::1')
  })

  it('writes IPv4-mapped IPv6 (a dual-stack socket) as plain IPv4, so both spellings share one throttle key', () => {
    assert.equal(normalizeIpAddress('::ffff:127.0.0.1'), '127.0.0.1')
    assert.equal(normalizeIpAddress('::ffff:c633:6417'), '198.51.100.23')
  })

  it('drops the zone of a link-local socket address', () => {
    assert.equal(normalizeIpAddress('fe80::1%eth0'), 'fe80::1')
  })

  it('refuses anything else', () => {
    for (const value of ['', 'unknown', 'evil<script>', '256.1.1.1', '1.2.3', '01.2.3.4', '1.2.3.4:80', '[::1]', '1::2::3', 'localhost', '::ffff:1.2.3.4.5', undefined]) {
      assert.equal(normalizeIpAddress(value), null, String(value))
    }
  })
})

describe('resolveClientAddress', () => {
  it('with no trusted proxy, is the socket address whatever the headers say', () => {
    assert.equal(resolveClientAddress('192.0.2.10', '198.51.100.23', 0), '192.0.2.10')
    assert.equal(resolveClientAddress('::ffff:192.0.2.10', undefined, 0), '192.0.2.10')
  })

  it('with one trusted proxy, is the entry that proxy appended (the last), never a client-written one', () => {
    assert.equal(resolveClientAddress('10.0.0.2', '203.0.113.66, 198.51.100.23', 1), '198.51.100.23')
    assert.equal(resolveClientAddress('10.0.0.2', ['203.0.113.66', '198.51.100.23'], 1), '198.51.100.23')
  })

  it('counts hops from the socket: two proxies, the entry before the second proxy', () => {
    assert.equal(resolveClientAddress('10.0.0.3', '203.0.113.66, 198.51.100.23, 10.0.0.2', 2), '198.51.100.23')
  })

  it('with fewer entries than trusted hops, takes the first: every entry came from a trusted proxy', () => {
    assert.equal(resolveClientAddress('10.0.0.3', '198.51.100.23', 2), '198.51.100.23')
    assert.equal(resolveClientAddress('127.0.0.1', undefined, 1), '127.0.0.1')
  })

  it('falls back to the socket when the chosen entry is not an IP address', () => {
    assert.equal(resolveClientAddress('127.0.0.1', 'not-an-ip', 1), '127.0.0.1')
    assert.equal(resolveClientAddress('127.0.0.1', '198.51.100.23, <script>', 1), '127.0.0.1')
  })

  it('is null without any usable address', () => {
    assert.equal(resolveClientAddress(undefined, 'junk', 1), null)
    assert.equal(resolveClientAddress(undefined, undefined, 0), null)
  })
})

describe('trustedProxyHops', () => {
  it('defaults to 0 and reads whole numbers', () => {
    assert.equal(trustedProxyHops(undefined), 0)
    assert.equal(trustedProxyHops(''), 0)
    assert.equal(trustedProxyHops('2'), 2)
  })

  it('refuses anything else', () => {
    for (const raw of ['-1', '1.5', 'one', '17']) assert.throws(() => trustedProxyHops(raw), /PARALLAX_TRUSTED_PROXY_HOPS/, raw)
  })
})

describe('clientAddress', () => {
  it('reads the address the server put in X-Forwarded-For, from Headers or a header record', () => {
    assert.equal(clientAddress(new Headers({ 'X-Forwarded-For': '203.0.113.7' })), '203.0.113.7')
    assert.equal(clientAddress({ 'x-forwarded-for': '203.0.113.9' }), '203.0.113.9')
    assert.equal(clientAddress({ 'x-forwarded-for': ['198.51.100.2', '203.0.113.9, 192.0.2.44'] }), '192.0.2.44')
  })

  it('takes the last entry, the one added by the nearest hop', () => {
    assert.equal(clientAddress(new Headers({ 'x-forwarded-for': '10.6.6.6, 198.51.100.2,203.0.113.7' })), '203.0.113.7')
  })

  it('says "unknown", never the header text, when that is not an IP address', () => {
    assert.equal(clientAddress(new Headers({ 'x-forwarded-for': 'evil<script>' })), 'unknown')
    assert.equal(clientAddress(new Headers({ 'x-forwarded-for': ' , ' })), 'unknown')
    assert.equal(clientAddress(new Headers()), 'unknown')
    assert.equal(clientAddress({ 'x-forwarded-for': undefined }), 'unknown')
  })
})
