import assert from 'node:assert/strict'
import { test } from 'node:test'
import { boxMask, emptyMask, type Grid } from '../../tests/support/agreement-masks'
import { compareMasks, diceOnly, nearestRankPercentile } from './compare-masks'
import { squaredDistanceTransform } from './distance-transform'
import { AgreementError } from './mask-volume'

// Hand-known answers on an anisotropic grid (0.7 × 0.9 × 2.5 mm). Distances are exact up
// to the float32 distance grid (under 1e-5 mm here).
const spacing = [0.7, 0.9, 2.5] as const
const grid: Grid = { columns: 20, rows: 9, slices: 9, spacing }
const close = (actual: number | null, expected: number, tolerance = 1e-5) =>
  assert.ok(actual !== null && Math.abs(actual - expected) <= tolerance, `${actual} is not within ${tolerance} of ${expected}`)
const meanOf = (groups: [count: number, mm: number][]) => groups.reduce((sum, [count, mm]) => sum + count * mm, 0) / groups.reduce((sum, [count]) => sum + count, 0)

test('two disjoint 5×5×5 boxes 10 columns apart: Dice 0, every distance along the column axis', () => {
  const a = boxMask(grid, [1, 1, 1], [5, 5, 5])
  const b = boxMask(grid, [11, 1, 1], [15, 5, 5])
  const result = compareMasks(a, b)
  assert.equal(result.dice, 0)
  assert.equal(result.jaccard, 0)
  // A's surface voxel in column i is 0.7·(11 − i) mm from B's face at column 11: 25 at
  // i = 1 and 5 (whole faces), 16 (rings) at i = 2, 3, 4; 98 in all. B → A mirrors it.
  const groups: [number, number][] = [
    [25, 4.2],
    [16, 4.9],
    [16, 5.6],
    [16, 6.3],
    [25, 7.0],
  ]
  assert.equal(result.aToB!.surfaceVoxels, 98)
  assert.equal(result.bToA!.surfaceVoxels, 98)
  // Nearest rank ⌈0.95 · 98⌉ = 94 falls in the last group.
  close(result.hd95Mm, 7.0)
  close(result.hausdorffMm, 7.0)
  close(result.assdMm, meanOf(groups))
  close(result.assdMm, 5.6)
  close(result.aToB!.meanMm, 5.6)
  close(result.bToA!.p95Mm, 7.0)
})

test('a 7³ box around its 5³ core: distances inside the other mask go to its surface', () => {
  const a = boxMask(grid, [2, 1, 1], [8, 7, 7])
  const b = boxMask(grid, [3, 2, 2], [7, 6, 6])
  const result = compareMasks(a, b)
  assert.equal(result.dice, (2 * 125) / (343 + 125))
  assert.equal(result.jaccard, 125 / 343)
  close(result.volumeAMl, (343 * 0.7 * 0.9 * 2.5) / 1000, 1e-12)
  close(result.volumeDifferenceMl, (218 * 0.7 * 0.9 * 2.5) / 1000, 1e-12)
  // A → B: faces one spacing away, edges two, corners three (218 voxels).
  const aToB: [number, number][] = [
    [50, 0.7],
    [50, 0.9],
    [20, Math.sqrt(0.49 + 0.81)],
    [50, 2.5],
    [20, Math.sqrt(0.49 + 6.25)],
    [20, Math.sqrt(0.81 + 6.25)],
    [8, Math.sqrt(0.49 + 0.81 + 6.25)],
  ]
  // B → A: from B's shell (98 voxels, all inside A) to the nearest face of A's shell.
  const bToA: [number, number][] = [
    [50, 0.7],
    [30, 0.9],
    [12, 1.4],
    [4, 1.8],
    [2, 2.1],
  ]
  assert.equal(result.aToB!.surfaceVoxels, 218)
  assert.equal(result.bToA!.surfaceVoxels, 98)
  close(result.aToB!.p95Mm, Math.sqrt(7.06)) // rank ⌈0.95 · 218⌉ = 208
  close(result.bToA!.p95Mm, 1.8) // rank 94
  close(result.hd95Mm, Math.sqrt(7.06))
  close(result.hausdorffMm, Math.sqrt(7.55))
  close(result.bToA!.maxMm, 2.1)
  close(result.aToB!.meanMm, meanOf(aToB))
  close(result.bToA!.meanMm, meanOf(bToA))
  close(result.assdMm, (218 * meanOf(aToB) + 98 * meanOf(bToA)) / 316)
})

test('grids whose rows are not 4-byte aligned (odd columns, a subarray) give the same figures', () => {
  const odd: Grid = { ...grid, columns: 21 }
  const result = compareMasks(boxMask(odd, [1, 1, 1], [5, 5, 5]), boxMask(odd, [11, 1, 1], [15, 5, 5]))
  close(result.hd95Mm, 7.0)
  close(result.assdMm, 5.6)
  const a = boxMask(grid, [1, 1, 1], [5, 5, 5])
  const shifted = new Uint8Array(a.data.length + 1)
  shifted.set(a.data, 1)
  const unaligned = { ...a, data: shifted.subarray(1) }
  assert.deepEqual(compareMasks(unaligned, boxMask(grid, [11, 1, 1], [15, 5, 5])), compareMasks(a, boxMask(grid, [11, 1, 1], [15, 5, 5])))
})

test('a box shifted by one slice: Dice 0.8, Jaccard 2/3; identical masks: 1 and 0 mm', () => {
  const a = boxMask(grid, [1, 1, 1], [5, 5, 5])
  const shifted = compareMasks(a, boxMask(grid, [1, 1, 2], [5, 5, 6]))
  assert.equal(shifted.dice, 0.8)
  assert.equal(shifted.jaccard, 100 / 150)
  assert.equal(shifted.volumeDifferenceMl, 0)
  close(shifted.hausdorffMm, 2.5)
  const same = compareMasks(a, a)
  assert.deepEqual([same.dice, same.jaccard, same.hd95Mm, same.assdMm, same.hausdorffMm], [1, 1, 0, 0, 0])
  assert.equal(diceOnly(a, boxMask(grid, [1, 1, 2], [5, 5, 6])), 0.8)
})

test('a mask on the edge of the volume: the outside counts as background', () => {
  const whole = boxMask(grid, [0, 0, 0], [19, 8, 8])
  const result = compareMasks(whole, whole)
  assert.equal(result.aToB!.surfaceVoxels, 20 * 9 * 9 - 18 * 7 * 7)
  assert.equal(result.hd95Mm, 0)
})

test('empty masks: both empty agree fully; one empty has Dice 0 and no distances', () => {
  const none = compareMasks(emptyMask(grid), emptyMask(grid))
  assert.deepEqual([none.dice, none.jaccard, none.hd95Mm, none.assdMm, none.volumeAMl], [1, 1, 0, 0, 0])
  const one = compareMasks(boxMask(grid, [1, 1, 1], [2, 2, 2]), emptyMask(grid))
  assert.deepEqual([one.dice, one.jaccard, one.hd95Mm, one.assdMm, one.hausdorffMm, one.aToB], [0, 0, null, null, null, null])
  close(one.volumeDifferenceMl, (8 * 0.7 * 0.9 * 2.5) / 1000, 1e-12)
  assert.equal(diceOnly(emptyMask(grid), emptyMask(grid)), 1)
})

test('masks on different grids are refused with a message', () => {
  const a = boxMask(grid, [1, 1, 1], [2, 2, 2])
  assert.throws(() => compareMasks(a, boxMask({ ...grid, slices: 10 }, [1, 1, 1], [2, 2, 2])), AgreementError)
  assert.throws(() => compareMasks(a, { ...a, spacing: [0.7, 0.9, 3] }), /different voxel spacings/)
  assert.throws(() => compareMasks(a, { ...a, data: new Uint8Array(5) }), /holds 5 voxels/)
})

test('nearest-rank percentile', () => {
  const sorted = Float64Array.from({ length: 20 }, (_, index) => index + 1)
  assert.equal(nearestRankPercentile(sorted, 95), 19)
  assert.equal(nearestRankPercentile(sorted, 100), 20)
  assert.equal(nearestRankPercentile(Float64Array.of(3), 95), 3)
  assert.equal(
    nearestRankPercentile(
      Float64Array.from({ length: 21 }, (_, index) => index + 1),
      95,
    ),
    20,
  )
})

test('the distance transform equals brute force on random features (anisotropic)', () => {
  const dims = [13, 7, 5] as const
  let seed = 12345
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31
  for (let trial = 0; trial < 5; trial += 1) {
    const features: [number, number, number][] = []
    const grid32 = new Float32Array(dims[0] * dims[1] * dims[2]).fill(Infinity)
    for (let index = 0; index < grid32.length; index += 1) {
      if (random() < 0.03 * (trial + 1)) {
        grid32[index] = 0
        features.push([index % dims[0], Math.floor(index / dims[0]) % dims[1], Math.floor(index / (dims[0] * dims[1]))])
      }
    }
    squaredDistanceTransform(grid32, dims, spacing)
    for (let index = 0; index < grid32.length; index += 1) {
      const [i, j, k] = [index % dims[0], Math.floor(index / dims[0]) % dims[1], Math.floor(index / (dims[0] * dims[1]))]
      const brute = features.reduce((best, [x, y, z]) => Math.min(best, ((x - i) * 0.7) ** 2 + ((y - j) * 0.9) ** 2 + ((z - k) * 2.5) ** 2), Infinity)
      if (brute === Infinity) assert.equal(grid32[index], Infinity)
      else assert.ok(Math.abs(grid32[index]! - brute) <= 1e-5 * Math.max(1, brute), `voxel ${index}: ${grid32[index]} against ${brute}`)
    }
  }
})
