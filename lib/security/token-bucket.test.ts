import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { TokenBuckets } from './token-bucket'

// The clock is the test's: every take names its time in milliseconds.

describe('token buckets', () => {
  it('spends the capacity at once, then refuses until tokens are earned back, saying how long to wait', () => {
    const buckets = new TokenBuckets({ capacity: 3, refillPerSecond: 0.5, maxKeys: 10 })
    for (let index = 0; index < 3; index++) assert.deepEqual(buckets.take('a', 0), { ok: true })
    assert.deepEqual(buckets.take('a', 0), { ok: false, retryAfterSeconds: 2, firstRefusal: true })
    assert.deepEqual(buckets.take('a', 1000), { ok: false, retryAfterSeconds: 1, firstRefusal: false })
    assert.deepEqual(buckets.take('a', 2000), { ok: true }, 'one token after two seconds')
    assert.equal(buckets.take('a', 2000).ok, false)
    assert.deepEqual(buckets.take('b', 2000), { ok: true }, 'each key has its own bucket')
  })

  it('counts a burst as one: the first refusal is marked, until the key is quiet long enough to fill up', () => {
    const buckets = new TokenBuckets({ capacity: 2, refillPerSecond: 1, maxKeys: 10 })
    const refusals = (from: number, count: number) =>
      Array.from({ length: count }, (_, index) => buckets.take('a', from + index * 10)).filter((verdict) => !verdict.ok && verdict.firstRefusal).length
    assert.equal(refusals(0, 20), 1, 'a burst of 20 within 200 ms: one first refusal')
    // Still hammering: a token trickles in and out, and the burst goes on.
    assert.equal(refusals(1000, 50), 0)
    // Quiet for longer than the bucket takes to fill (2 s): a new burst.
    assert.equal(refusals(5000, 20), 1)
  })

  it('keeps at most maxKeys, forgetting the least recently used (which then start full)', () => {
    const buckets = new TokenBuckets({ capacity: 1, refillPerSecond: 0.001, maxKeys: 2 })
    assert.equal(buckets.take('a', 0).ok, true)
    assert.equal(buckets.take('b', 0).ok, true)
    assert.equal(buckets.take('a', 0).ok, false, 'a is empty and now the most recently used')
    assert.equal(buckets.take('c', 0).ok, true)
    assert.equal(buckets.size, 2)
    assert.equal(buckets.take('a', 0).ok, false, 'a was kept')
    assert.equal(buckets.take('b', 0).ok, true, 'b was forgotten, so it starts full')
    assert.equal(buckets.size, 2)
  })
})
