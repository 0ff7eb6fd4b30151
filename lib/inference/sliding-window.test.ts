import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { extractWindow, importanceMap, planWindows, WindowAccumulator } from './sliding-window'

type Triple = [number, number, number]

/** Distinct, non-integer values (in [0, 1000)) at every voxel, so misplaced voxels show. */
function testVolume([nx, ny, nz]: Triple): Float32Array {
  return Float32Array.from({ length: nx * ny * nz }, (_, i) => (i * 7.31 + Math.sin(i) * 3) % 1000)
}

/** Runs `model` over every planned window and returns the blended output. */
function slide(
  volume: Float32Array,
  dimensions: Triple,
  roi: Triple,
  overlap: number,
  mode: 'constant' | 'gaussian',
  channels: number,
  model: (window: Float32Array) => Float32Array,
): Float32Array {
  const plan = planWindows(dimensions, roi, overlap)
  const accumulator = new WindowAccumulator(dimensions, channels, plan.roi, mode)
  for (const start of plan.starts) accumulator.add(model(extractWindow(volume, dimensions, start, plan.roi, 0)), start)
  return accumulator.result()
}

function maxRelativeError(actual: Float32Array, expected: Float32Array): number {
  assert.equal(actual.length, expected.length)
  let worst = 0
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!) / Math.max(1, Math.abs(expected[i]!)))
  return worst
}

describe('planWindows', () => {
  it('steps by roi × (1 − overlap) and puts the last window flush with the end', () => {
    const quarter = planWindows([37, 20, 9], [16, 16, 8], 0.25)
    assert.deepEqual(quarter.roi, [16, 16, 8])
    // x: step 12 → 0, 12, then 21 (= 37 − 16); y: 0, 4; z: step 6 → 0, 1.
    assert.deepEqual(new Set(quarter.starts.map(([x]) => x)), new Set([0, 12, 21]))
    assert.deepEqual(new Set(quarter.starts.map(([, y]) => y)), new Set([0, 4]))
    assert.deepEqual(new Set(quarter.starts.map(([, , z]) => z)), new Set([0, 1]))
    assert.equal(quarter.starts.length, 3 * 2 * 2)
    assert.deepEqual(quarter.starts.slice(0, 4), [
      [0, 0, 0],
      [12, 0, 0],
      [21, 0, 0],
      [0, 4, 0],
    ])

    const half = planWindows([37, 20, 9], [16, 16, 8], 0.5)
    assert.deepEqual(new Set(half.starts.map(([x]) => x)), new Set([0, 8, 16, 21]))
    // No overlap: windows tile, the last one pulled back to the end.
    assert.deepEqual(planWindows([40, 16, 8], [16, 16, 8], 0).starts, [
      [0, 0, 0],
      [16, 0, 0],
      [24, 0, 0],
    ])
    // A step that would round to 0 becomes 1.
    assert.deepEqual(planWindows([4, 1, 1], [2, 1, 1], 0.9).starts, [
      [0, 0, 0],
      [1, 0, 0],
      [2, 0, 0],
    ])
  })

  it('covers every voxel', () => {
    for (const [dimensions, roi, overlap] of [
      [[37, 20, 9], [16, 16, 8], 0.25],
      [[37, 20, 9], [16, 16, 8], 0.5],
      [[33, 17, 1], [16, 16, 1], 0.6],
      [[5, 40, 3], [16, 8, 8], 0],
    ] as [Triple, Triple, number][]) {
      const [nx, ny, nz] = dimensions
      const covered = new Uint8Array(nx * ny * nz)
      for (const [sx, sy, sz] of planWindows(dimensions, roi, overlap).starts) {
        for (let z = Math.max(0, sz); z < Math.min(nz, sz + roi[2]); z++) {
          for (let y = Math.max(0, sy); y < Math.min(ny, sy + roi[1]); y++) {
            for (let x = Math.max(0, sx); x < Math.min(nx, sx + roi[0]); x++) covered[x + nx * (y + ny * z)] = 1
          }
        }
      }
      assert.ok(
        covered.every((flag) => flag === 1),
        `${dimensions} with roi ${roi}, overlap ${overlap}`,
      )
    }
  })

  it('centres one window on an axis shorter than the roi, as MONAI pads', () => {
    // x: 10 < 16 → MONAI pads 3 before and 3 after; z: 11 < 16 → 2 before, 3 after; y equals the roi.
    assert.deepEqual(planWindows([10, 16, 11], [16, 16, 16], 0.5).starts, [[-3, 0, -2]])
    // Exactly the roi: one window at +0.
    assert.ok(Object.is(planWindows([16, 16, 16], [16, 16, 16], 0.25).starts[0]![0], 0))
  })

  it('rejects bad sizes and overlaps', () => {
    assert.throws(() => planWindows([10, 10, 10], [16, 16, 16], 1), RangeError)
    assert.throws(() => planWindows([10, 10, 10], [16, 16, 16], -0.1), RangeError)
    assert.throws(() => planWindows([10, 0, 10], [16, 16, 16], 0.5), RangeError)
    assert.throws(() => planWindows([10, 10, 10], [16, 16.5, 16], 0.5), RangeError)
  })
})

describe('importanceMap', () => {
  it('is all ones in constant mode', () => {
    assert.deepEqual(importanceMap([3, 2, 2], 'constant'), new Float32Array(12).fill(1))
  })

  it('is a symmetric Gaussian with maximum 1, clamped at 1e-3', () => {
    const roi: Triple = [16, 16, 8]
    const [rx, ry, rz] = roi
    const map = importanceMap(roi, 'gaussian')
    const at = (x: number, y: number, z: number) => map[x + rx * (y + ry * z)]!
    assert.equal(Math.max(...map), 1)
    // The four central voxels of an even-sized window share the maximum.
    assert.equal(at(7, 7, 3), 1)
    assert.equal(at(8, 8, 4), 1)
    for (let z = 0; z < rz; z++) {
      for (let y = 0; y < ry; y++) {
        for (let x = 0; x < rx; x++) {
          const value = at(x, y, z)
          assert.equal(at(rx - 1 - x, y, z), value)
          assert.equal(at(x, ry - 1 - y, z), value)
          assert.equal(at(x, y, rz - 1 - z), value)
        }
      }
    }
    // σ = 0.125 × 16 = 2 along x, centre 7.5: exp(−d² / 8) over its peak exp(−0.5² / 8).
    assert.equal(at(1, 7, 3), Math.fround(Math.exp(-(6.5 ** 2 - 0.5 ** 2) / 8)))
    // At x = 0 that is exp(−7) ≈ 9.1e-4, below the floor.
    assert.equal(at(0, 7, 3), Math.fround(1e-3))
    assert.equal(Math.min(...map), Math.fround(1e-3))
  })

  it('peaks at exactly 1 in the centre of an odd-sized window, and follows sigmaScale', () => {
    const map = importanceMap([5, 5, 1], 'gaussian', 0.5)
    assert.equal(map[2 + 5 * 2], 1)
    // σ = 2.5: one voxel off centre along x and y is exp(−1/12.5)².
    assert.equal(map[1 + 5 * 1], Math.fround(Math.exp(-1 / 12.5) ** 2))
  })
})

describe('extractWindow', () => {
  it('copies the window and pads outside the volume with the given value', () => {
    const dimensions: Triple = [4, 3, 2]
    const volume = Float32Array.from({ length: 24 }, (_, i) => i)
    // Inside: x 2..3, y 1..2, z 1.
    assert.deepEqual(extractWindow(volume, dimensions, [2, 1, 1], [2, 2, 1], -1), Float32Array.of(18, 19, 22, 23))
    // Hanging off the volume by one voxel before x and after x, y and z.
    const window = extractWindow(volume, dimensions, [-1, 2, 1], [6, 2, 2], -1)
    const row = [-1, 20, 21, 22, 23, -1]
    const padding = new Array<number>(6).fill(-1)
    assert.deepEqual(window, Float32Array.from([...row, ...padding, ...padding, ...padding]))
    // Entirely outside.
    assert.deepEqual(extractWindow(volume, dimensions, [10, 0, 0], [2, 1, 1], 7), Float32Array.of(7, 7))
  })
})

describe('WindowAccumulator', () => {
  const identity = (window: Float32Array) => window

  it('reproduces the input through an identity model, for odd sizes, overlaps and both modes', () => {
    const cases: [Triple, Triple, number][] = [
      [[37, 20, 9], [16, 16, 8], 0.25],
      [[37, 20, 9], [16, 16, 8], 0.5],
      [[37, 20, 9], [16, 16, 8], 0],
      [[10, 23, 7], [16, 8, 8], 0.5], // x and z shorter than the roi: padded windows
      [[33, 17, 1], [16, 16, 1], 0.6], // 2D
    ]
    for (const [dimensions, roi, overlap] of cases) {
      const label = `${dimensions} roi ${roi} overlap ${overlap}`
      // Small integers: constant-mode sums and averages are exact in float32.
      const integers = testVolume(dimensions).map(Math.floor)
      assert.deepEqual(slide(integers, dimensions, roi, overlap, 'constant', 1, identity), integers, label)
      // Otherwise float32 sums round: equal to a few ulps (measured up to 5.4e-7 relative).
      const volume = testVolume(dimensions)
      assert.ok(maxRelativeError(slide(volume, dimensions, roi, overlap, 'gaussian', 1, identity), volume) < 2e-6, label)
      assert.ok(maxRelativeError(slide(volume, dimensions, roi, overlap, 'constant', 1, identity), volume) < 2e-6, label)
    }
  })

  it('handles a 2-channel output, channel-first', () => {
    const dimensions: Triple = [37, 20, 9]
    const volume = testVolume(dimensions)
    const twoChannels = (window: Float32Array) => {
      const output = new Float32Array(2 * window.length)
      for (let i = 0; i < window.length; i++) {
        output[i] = window[i]!
        output[window.length + i] = 1 - 2 * window[i]!
      }
      return output
    }
    const expected = new Float32Array(2 * volume.length)
    for (let i = 0; i < volume.length; i++) {
      expected[i] = volume[i]!
      expected[volume.length + i] = 1 - 2 * volume[i]!
    }
    for (const mode of ['constant', 'gaussian'] as const) {
      assert.ok(maxRelativeError(slide(volume, dimensions, [16, 16, 8], 0.25, mode, 2, twoChannels), expected) < 2e-6, mode)
    }
  })

  it('blends overlapping windows by their importance weights', () => {
    // Two windows along x (origins 0 and 4); each "model" output is its window's number.
    const dimensions: Triple = [20, 1, 1]
    const roi: Triple = [16, 1, 1]
    const plan = planWindows(dimensions, roi, 0.5)
    assert.deepEqual(plan.starts, [
      [0, 0, 0],
      [4, 0, 0],
    ])
    const blendAt10 = (mode: 'constant' | 'gaussian') => {
      const accumulator = new WindowAccumulator(dimensions, 1, roi, mode)
      plan.starts.forEach((start, index) => accumulator.add(new Float32Array(16).fill(index), start))
      const result = accumulator.result()
      assert.equal(result[0], 0) // only the first window
      assert.equal(result[19], 1) // only the second
      return result[10]!
    }
    assert.equal(blendAt10('constant'), 0.5)
    // x = 10 is offset 10 in the first window and 6 in the second; σ = 2, centre 7.5.
    const first = Math.exp(-(2.5 ** 2) / 8)
    const second = Math.exp(-(1.5 ** 2) / 8)
    assert.ok(Math.abs(blendAt10('gaussian') - second / (first + second)) < 1e-6)
  })

  it('rejects misuse: wrong output size, uncovered voxels, reuse after result', () => {
    const accumulator = new WindowAccumulator([4, 4, 1], 2, [2, 2, 1], 'constant')
    assert.throws(() => accumulator.add(new Float32Array(4), [0, 0, 0]), RangeError)
    accumulator.add(new Float32Array(8), [0, 0, 0])
    assert.throws(() => accumulator.result(), /not covered/)
    assert.throws(() => accumulator.add(new Float32Array(8), [2, 2, 0]), /after result/)
  })
})
