import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { clientAddress } from './client-address'

describe('clientAddress', () => {
  it('reads a single X-Forwarded-For address from a Headers object', () => {
    assert.equal(clientAddress(new Headers({ 'X-Forwarded-For': '203.0.113.7' })), '203.0.113.7')
  })

  it('takes the last entry, the one added by the nearest hop, not a client-supplied first one', () => {
    assert.equal(clientAddress(new Headers({ 'x-forwarded-for': '10.6.6.6, 198.51.100.2,203.0.113.7' })), '203.0.113.7')
  })

  it('ignores blank entries and surrounding whitespace', () => {
    assert.equal(clientAddress(new Headers({ 'x-forwarded-for': '  198.51.100.2 ,  , ' })), '198.51.100.2')
  })

  it('keeps IPv6 addresses intact', () => {
    assert.equal(clientAddress(new Headers({ 'x-forwarded-for': '2001:db8::1, ::ffff:127.0.0.1' })), '::ffff:127.0.0.1')
  })

  it('says "unknown" when there is no usable header', () => {
    assert.equal(clientAddress(new Headers()), 'unknown')
    assert.equal(clientAddress(new Headers({ 'x-forwarded-for': ' , ' })), 'unknown')
    assert.equal(clientAddress({}), 'unknown')
    assert.equal(clientAddress({ 'x-forwarded-for': undefined }), 'unknown')
  })

  it('accepts a plain header record (Node IncomingHttpHeaders), string or repeated', () => {
    assert.equal(clientAddress({ 'x-forwarded-for': '198.51.100.2, 203.0.113.9' }), '203.0.113.9')
    assert.equal(clientAddress({ 'x-forwarded-for': ['198.51.100.2', '203.0.113.9, 192.0.2.44'] }), '192.0.2.44')
  })
})
