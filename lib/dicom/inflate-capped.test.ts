import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { deflateSync } from 'fflate'
import { InflateLimitError, inflateRawCapped } from './inflate-capped'

// Compressible but not trivial: a repeating ramp.
const data = Uint8Array.from({ length: 300_000 }, (_, i) => (i * 7) % 251)
const deflated = deflateSync(data)

describe('inflateRawCapped', () => {
  it('inflates after the requested headroom, which is left zeroed', () => {
    const out = inflateRawCapped(deflated, data.length, 132)
    assert.equal(out.length, 132 + data.length)
    assert.ok(out.subarray(0, 132).every((byte) => byte === 0))
    assert.deepEqual(out.subarray(132), data)
  })

  it('accepts output of exactly the limit and refuses one byte more', () => {
    assert.equal(inflateRawCapped(deflated, data.length).length, data.length)
    assert.throws(
      () => inflateRawCapped(deflated, data.length - 1),
      (error) => error instanceof InflateLimitError && error.limitBytes === data.length - 1,
    )
  })

  it('refuses a deflate bomb', () => {
    const bomb = deflateSync(new Uint8Array(16 * 2 ** 20), { level: 9 })
    assert.ok(bomb.length < 50_000, 'the bomb is small')
    assert.throws(() => inflateRawCapped(bomb, 2 ** 20), InflateLimitError)
  })

  it('throws on corrupt and on truncated input', () => {
    const corrupt = Uint8Array.from(deflated)
    corrupt[0] = 0xff // block type 3 does not exist
    assert.throws(() => inflateRawCapped(corrupt, 2 ** 20))
    assert.throws(() => inflateRawCapped(deflated.subarray(0, deflated.length - 100), 2 ** 20), /unexpected EOF/)
  })
})
