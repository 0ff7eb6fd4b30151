import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { addressKey } from './flood-limits.server'

describe('flood limits: the key an address is limited by', () => {
  it('IPv4 as it is (mapped IPv6 too); IPv6 by its /64, however it is written', () => {
    assert.equal(addressKey('203.0.113.9'), '203.0.113.9')
    assert.equal(addressKey('::ffff:203.0.113.9'), '203.0.113.9')
    assert.equal(addressKey('2001:db8:1:2:3:4:5:6'), '2001:db8:1:2::/64')
    assert.equal(addressKey('2001:0db8:0001:0002:ffff::1'), '2001:db8:1:2::/64')
    assert.equal(addressKey('[2001:db8:1:2::dead:beef]'), '2001:db8:1:2::/64')
    assert.equal(addressKey('2001:db8::1'), '2001:db8:0:0::/64')
    assert.equal(addressKey('::1'), '0:0:0:0::/64')
    assert.notEqual(addressKey('2001:db8:1:3::1'), addressKey('2001:db8:1:2::1'))
    assert.equal(addressKey('unknown'), 'unknown', 'not an address: its text, bounded')
    assert.equal(addressKey('x'.repeat(500)).length, 64)
  })
})
