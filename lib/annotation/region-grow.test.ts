import assert from 'node:assert/strict'
import { test } from 'node:test'
import { documentOn, indexOf, voxelsOf } from '../../tests/support/labelmap-fixtures'
import { LabelmapError } from './labelmap-document'
import { regionGrow, RegionTooLargeError } from './region-grow'
import type { VoxelSpace } from './voxel-space'

const space: VoxelSpace = { columns: 8, rows: 8, slices: 4, spacing: [1, 1, 2] }

/** A bright 3 × 3 × 2 block (100) at columns/rows 1–3, slices 1–2; a bright voxel (100) touching its corner diagonally at (4, 4, 3); a grey row (50) along row 7 of slice 0. */
function phantom(): Float32Array {
  const values = new Float32Array(8 * 8 * 4).fill(0)
  for (let k = 1; k <= 2; k++) for (let j = 1; j <= 3; j++) for (let i = 1; i <= 3; i++) values[indexOf(space, [i, j, k])] = 100
  values[indexOf(space, [4, 4, 3])] = 100
  for (let i = 0; i < 8; i++) values[indexOf(space, [i, 7, 0])] = 50
  return values
}

test('grows through face neighbours in range and stops at the range', () => {
  const doc = documentOn(space)
  const labels: string[] = []
  doc.on('labels-changed', ({ label }) => labels.push(label))
  const slices = regionGrow(doc, space, { seed: [2, 2, 1], low: 80, high: 120, values: phantom(), segment: 1, connectivity: 6, maxVoxels: 1000 })
  assert.deepEqual(slices, [1, 2])
  assert.equal(voxelsOf(doc, 1).length, 18)
  assert.ok(voxelsOf(doc, 1).every(([i, j]) => i >= 1 && i <= 3 && j >= 1 && j <= 3))
  assert.deepEqual(labels, ['Region grow'])
})

test('26-connectivity also takes the voxel touching by a corner; a wider range takes the grey row', () => {
  const corner = documentOn(space)
  regionGrow(corner, space, { seed: [2, 2, 1], low: 80, high: 120, values: phantom(), segment: 1, connectivity: 26, maxVoxels: 1000 })
  assert.equal(voxelsOf(corner, 1).length, 19)
  const wide = documentOn(space)
  regionGrow(wide, space, { seed: [0, 7, 0], low: 40, high: 60, values: phantom(), segment: 1, connectivity: 6, maxVoxels: 1000 })
  assert.equal(voxelsOf(wide, 1).length, 8)
})

test('stops at the voxel cap with a typed error and writes nothing', () => {
  const doc = documentOn(space)
  assert.doesNotThrow(() => regionGrow(doc, space, { seed: [2, 2, 1], low: 80, high: 120, values: phantom(), segment: 1, connectivity: 6, maxVoxels: 18 }))
  doc.undo()
  const error = (() => {
    try {
      regionGrow(doc, space, { seed: [2, 2, 1], low: 80, high: 120, values: phantom(), segment: 1, connectivity: 6, maxVoxels: 17 })
    } catch (caught) {
      return caught
    }
  })()
  assert.ok(error instanceof RegionTooLargeError && error instanceof LabelmapError)
  assert.equal(error.maxVoxels, 17)
  assert.match(error.message, /narrow the intensity range/)
  assert.equal(voxelsOf(doc, 1).length, 0)
})

test('refuses a seed outside the image or outside the range, and an empty range', () => {
  const doc = documentOn(space)
  const base = { low: 80, high: 120, values: phantom(), segment: 1, connectivity: 6 as const, maxVoxels: 100 }
  assert.throws(() => regionGrow(doc, space, { ...base, seed: [8, 0, 0] }), /outside the image/)
  assert.throws(() => regionGrow(doc, space, { ...base, seed: [7.5, 7.5, 3.5] }), /value at the click \(0\)/, 'a click on the far edge takes the edge voxel')
  assert.throws(() => regionGrow(doc, space, { ...base, seed: [0, 0, 0] }), /outside the range 80 to 120/)
  assert.throws(() => regionGrow(doc, space, { ...base, seed: [2, 2, 1], low: 130 }), /range is empty/)
})
