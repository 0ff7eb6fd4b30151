import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { clipIntensities, normaliseIntensities, percentileValues } from './intensity'

/** 0, 1, …, n − 1 in a shuffled order, so nothing relies on the input being sorted. */
function shuffledRange(n: number): Float32Array {
  const values = Float32Array.from({ length: n }, (_, i) => i)
  let state = 12345
  for (let i = n - 1; i > 0; i--) {
    state = (state * 16807) % 2147483647
    const j = state % (i + 1)
    ;[values[i], values[j]] = [values[j]!, values[i]!]
  }
  return values
}

function mean(data: Float32Array): number {
  return data.reduce((sum, value) => sum + value, 0) / data.length
}

function populationSd(data: Float32Array): number {
  const average = mean(data)
  return Math.sqrt(data.reduce((sum, value) => sum + (value - average) ** 2, 0) / data.length)
}

describe('percentileValues', () => {
  it('interpolates between order statistics like numpy (0..99)', () => {
    const data = shuffledRange(100)
    // np.percentile(np.arange(100), [0, 25, 50, 90, 99.5, 100]) = [0, 24.75, 49.5, 89.1, 98.505, 99]
    const [p0, p25, p50, p90, p995, p100] = percentileValues(data, [0, 25, 50, 90, 99.5, 100])
    assert.equal(p0, 0)
    assert.equal(p25, 24.75)
    assert.equal(p50, 49.5)
    assert.ok(Math.abs(p90! - 89.1) < 1e-12)
    assert.ok(Math.abs(p995! - 98.505) < 1e-12)
    assert.equal(p100, 99)
  })

  it('is exact when values must be narrowed over several histogram passes', () => {
    // 300 000 values: too many to sort at once, and clustered (a block of equal "air" values
    // plus a narrow spread) so the first histogram's bins do not separate them.
    const data = new Float64Array(300_000)
    for (let i = 0; i < data.length; i++) data[i] = i < 100_000 ? -1024 : 1e6 + ((i * 7919) % 200_000) * 1e-3
    const sorted = Float64Array.from(data).sort()
    const expected = (percentile: number) => {
      const position = (percentile / 100) * (sorted.length - 1)
      const lower = Math.floor(position)
      const fraction = position - lower
      return fraction === 0 ? sorted[lower]! : sorted[lower]! + (sorted[lower + 1]! - sorted[lower]!) * fraction
    }
    const percentiles = [0, 10, 33.3, 50, 75.25, 99, 99.9, 100]
    assert.deepEqual(percentileValues(data, percentiles), percentiles.map(expected))
  })

  it('ignores NaN and infinities', () => {
    assert.deepEqual(percentileValues([NaN, 3, Infinity, 1, -Infinity, 2], [0, 50, 100]), [1, 2, 3])
  })

  it('handles a constant image and a single value', () => {
    assert.deepEqual(percentileValues(new Float32Array(1000).fill(7), [0, 37, 100]), [7, 7, 7])
    assert.deepEqual(percentileValues([5], [0, 50, 100]), [5, 5, 5])
  })

  it('keeps full precision across the float64 range', () => {
    assert.deepEqual(percentileValues([-Number.MAX_VALUE, 0, Number.MAX_VALUE], [0, 50, 100]), [-Number.MAX_VALUE, 0, Number.MAX_VALUE])
  })

  it('rejects percentiles outside 0..100 and data without finite values', () => {
    assert.throws(() => percentileValues([1, 2], [101]), RangeError)
    assert.throws(() => percentileValues([1, 2], [NaN]), RangeError)
    assert.throws(() => percentileValues([NaN], [50]), RangeError)
  })
})

describe('clipIntensities', () => {
  it('clamps to fixed values in place', () => {
    const data = Float32Array.of(-2000, -1000, 0, 500, 3000, NaN)
    assert.deepEqual(clipIntensities(data, { kind: 'values', min: -1000, max: 1000 }), { min: -1000, max: 1000 })
    assert.deepEqual(data, Float32Array.of(-1000, -1000, 0, 500, 1000, NaN))
  })

  it('clamps to percentiles of the image', () => {
    const data = shuffledRange(100)
    const { min, max } = clipIntensities(data, { kind: 'percentiles', lower: 10, upper: 90 })
    assert.ok(Math.abs(min - 9.9) < 1e-12 && Math.abs(max - 89.1) < 1e-12)
    assert.equal(Math.min(...data), Math.fround(9.9))
    assert.equal(Math.max(...data), Math.fround(89.1))
    assert.equal(data.filter((value) => value === 50).length, 1)
  })

  it('rejects inverted bounds', () => {
    assert.throws(() => clipIntensities(new Float32Array(4), { kind: 'values', min: 1, max: 0 }), RangeError)
    assert.throws(() => clipIntensities(new Float32Array(4), { kind: 'percentiles', lower: 90, upper: 10 }), RangeError)
  })
})

describe('normaliseIntensities', () => {
  it('min-max maps the range onto [0, 1] by default and onto a given range', () => {
    const data = Float32Array.of(-100, 0, 100, 300)
    normaliseIntensities(data, { method: 'min-max' })
    assert.deepEqual(data, Float32Array.of(0, 0.25, 0.5, 1))
    const other = Float32Array.of(-100, 0, 100, 300)
    normaliseIntensities(other, { method: 'min-max', outputRange: [-1, 1] })
    assert.deepEqual(other, Float32Array.of(-1, -0.5, 0, 1))
  })

  it('min-max of a constant image gives the low end of the range, not NaN', () => {
    const data = new Float32Array(10).fill(42)
    normaliseIntensities(data, { method: 'min-max', outputRange: [-1, 1] })
    assert.deepEqual(data, new Float32Array(10).fill(-1))
  })

  it('z-score gives mean 0 and standard deviation 1', () => {
    const data = Float32Array.of(2, 4, 4, 4, 5, 5, 7, 9) // mean 5, population sd 2
    normaliseIntensities(data, { method: 'z-score' })
    assert.deepEqual(data, Float32Array.of(-1.5, -0.5, -0.5, -0.5, 0, 0, 1, 2))
    const noisy = shuffledRange(1001).map((value) => Math.sin(value) * 300 + 40)
    normaliseIntensities(noisy, { method: 'z-score' })
    assert.ok(Math.abs(mean(noisy)) < 1e-6)
    assert.ok(Math.abs(populationSd(noisy) - 1) < 1e-6)
  })

  it('z-score over non-zero voxels leaves the background at 0', () => {
    const data = Float32Array.of(0, 2, 0, 4, 6, 0)
    normaliseIntensities(data, { method: 'z-score', nonZeroOnly: true })
    const sd = Math.sqrt(8 / 3)
    assert.deepEqual(data, Float32Array.of(0, -2 / sd, 0, 0, 2 / sd, 0))
  })

  it('z-score of a constant image gives zeros', () => {
    const data = new Float32Array(1000).fill(0.1)
    normaliseIntensities(data, { method: 'z-score' })
    assert.deepEqual(data, new Float32Array(1000))
  })

  it('scale subtracts the offset and multiplies by the factor', () => {
    const data = Float32Array.of(-1024, 0, 976)
    normaliseIntensities(data, { method: 'scale', offset: -1024, factor: 1 / 2000 })
    assert.deepEqual(data, Float32Array.of(0, 0.512, 1))
  })
})
