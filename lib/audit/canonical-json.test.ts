import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { canonicalJson } from './canonical-json'

describe('canonicalJson', () => {
  it('sorts object keys at every depth and emits no whitespace', () => {
    assert.equal(canonicalJson({ b: 1, a: { d: [3, { z: true, y: null }], c: 'x' } }), '{"a":{"c":"x","d":[3,{"y":null,"z":true}]},"b":1}')
  })

  it('gives the same text for objects that differ only in key insertion order', () => {
    const one = { seq: 1, details: '{}', actor: null }
    const two = { actor: null, seq: 1, details: '{}' }
    assert.equal(canonicalJson(one), canonicalJson(two))
    // ...which plain JSON.stringify does not.
    assert.notEqual(JSON.stringify(one), JSON.stringify(two))
  })

  it('orders keys by UTF-16 code unit, not locale (upper case before lower case)', () => {
    assert.equal(canonicalJson({ b: 0, B: 0, a: 0, _: 0 }), '{"B":0,"_":0,"a":0,"b":0}')
  })

  it('keeps array order', () => {
    assert.equal(canonicalJson([3, 1, 2]), '[3,1,2]')
  })

  it('escapes strings exactly as JSON does', () => {
    const tricky = 'quote " backslash \\ newline \n tab \t unicode é \u2028 nul \u0000'
    assert.equal(canonicalJson(tricky), JSON.stringify(tricky))
    assert.equal(JSON.parse(canonicalJson({ [tricky]: tricky }))[tricky], tricky)
  })

  it('serialises scalars', () => {
    assert.equal(canonicalJson(null), 'null')
    assert.equal(canonicalJson(true), 'true')
    assert.equal(canonicalJson(false), 'false')
    assert.equal(canonicalJson(0), '0')
    assert.equal(canonicalJson(-1.5), '-1.5')
    assert.equal(canonicalJson(1e21), '1e+21')
    assert.equal(canonicalJson(''), '""')
  })

  it('drops object properties whose value is undefined', () => {
    assert.equal(canonicalJson({ a: 1, b: undefined }), '{"a":1}')
    assert.equal(canonicalJson({ a: 1, b: undefined }), canonicalJson({ a: 1 }))
  })

  it('refuses values that have no single serialisation', () => {
    assert.throws(() => canonicalJson(Number.NaN), /non-finite/)
    assert.throws(() => canonicalJson(Number.POSITIVE_INFINITY), /non-finite/)
    assert.throws(() => canonicalJson({ n: Number.NEGATIVE_INFINITY }), /non-finite/)
    assert.throws(() => canonicalJson(undefined), /cannot serialise undefined/)
    assert.throws(() => canonicalJson([undefined]), /cannot serialise undefined/)
    assert.throws(() => canonicalJson(() => 1), /cannot serialise function/)
    assert.throws(() => canonicalJson(10n), /cannot serialise bigint/)
    assert.throws(() => canonicalJson(Symbol('s')), /cannot serialise symbol/)
  })

  it('refuses objects that are not plain (Date, Map, class instances)', () => {
    assert.throws(() => canonicalJson(new Date(0)), /only plain objects/)
    assert.throws(() => canonicalJson({ at: new Date(0) }), /only plain objects/)
    assert.throws(() => canonicalJson(new Map([['a', 1]])), /only plain objects/)
    class Point {
      x = 1
    }
    assert.throws(() => canonicalJson(new Point()), /only plain objects/)
  })

  it('round-trips through JSON.parse to an equal value', () => {
    const value = { z: [1, 'two', { three: 3 }], a: { nested: { deeper: [null, false] } }, m: 'é' }
    assert.deepEqual(JSON.parse(canonicalJson(value)), value)
  })
})
