import assert from 'node:assert/strict'
import { test } from 'node:test'
import { axial, documentOn, indexOf, sagittal, segment, voxelsOf } from '../../tests/support/labelmap-fixtures'
import { scissors } from './scissors'
import type { VoxelSpace } from './voxel-space'

const space: VoxelSpace = { columns: 10, rows: 8, slices: 6, spacing: [1, 2, 3] }

test('a rectangle fills the region on the slice shown, clipped to the image', () => {
  const doc = documentOn(space)
  assert.deepEqual(
    scissors(doc, space, {
      shape: 'rectangle',
      plane: axial,
      corners: [
        [2, 1, 3],
        [4, 3, 3],
      ],
      segment: 1,
      mode: 'fill',
    }),
    [3],
  )
  assert.equal(voxelsOf(doc, 1).length, 3 * 3)
  const clipped = documentOn(space)
  scissors(clipped, space, {
    shape: 'rectangle',
    plane: axial,
    corners: [
      [7, 5, 0],
      [20, 40, 0],
    ],
    segment: 1,
    mode: 'fill',
  })
  assert.equal(voxelsOf(clipped, 1).length, 3 * 3)
})

test('a rectangle through the volume fills every slice; on the sagittal plane it spans slices', () => {
  const doc = documentOn(space)
  assert.deepEqual(
    scissors(doc, space, {
      shape: 'rectangle',
      plane: axial,
      corners: [
        [2, 1, 3],
        [4, 3, 3],
      ],
      segment: 1,
      mode: 'fill',
      extent: 'volume',
    }),
    [0, 1, 2, 3, 4, 5],
  )
  assert.equal(voxelsOf(doc, 1).length, 9 * 6)
  const side = documentOn(space)
  assert.deepEqual(
    scissors(side, space, {
      shape: 'rectangle',
      plane: sagittal,
      corners: [
        [5, 1, 1],
        [5, 2, 4],
      ],
      segment: 1,
      mode: 'fill',
    }),
    [1, 2, 3, 4],
  )
  assert.deepEqual(voxelsOf(side, 1).length, 2 * 4)
})

test('a circle erases its segment on the slice, a sphere in 3D, and other segments stay', () => {
  const doc = documentOn(space, [segment(1), segment(2, 1)])
  scissors(doc, space, {
    shape: 'rectangle',
    plane: axial,
    corners: [
      [0, 0, 0],
      [9, 7, 5],
    ],
    segment: 1,
    mode: 'fill',
    extent: 'volume',
  })
  scissors(doc, space, {
    shape: 'rectangle',
    plane: axial,
    corners: [
      [0, 0, 0],
      [9, 7, 5],
    ],
    segment: 2,
    mode: 'fill',
    extent: 'volume',
  })
  const total = space.columns * space.rows * space.slices
  // Circle r = 2 mm on 1 × 2 mm pixels: columns ±2 on the centre row, the centre column on rows ±1: 7.
  assert.deepEqual(scissors(doc, space, { shape: 'circle', plane: axial, centre: [5, 4, 2], radiusMm: 2, segment: 1, mode: 'erase' }), [2])
  assert.equal(voxelsOf(doc, 1).length, total - 7)
  const sphere = documentOn(space)
  scissors(sphere, space, { shape: 'sphere', centre: [5, 4, 2], radiusMm: 3, segment: 1, mode: 'fill' })
  // Centre slice: row 0 → |di| ≤ 3 (7), rows ±1 (2 mm) → |di| ≤ 2 (5 each); slices ±1 (3 mm) → the centre voxel: 7 + 10 + 2.
  assert.equal(voxelsOf(sphere, 1).length, 19)
  assert.equal(voxelsOf(doc, 2).length, total, 'the other layer is untouched')
  assert.equal(doc.labels[indexOf(space, [5, 4, 2])], 0)
})

test('a circle through the volume erases a cylinder, and undo brings it back', () => {
  const doc = documentOn(space)
  scissors(doc, space, {
    shape: 'rectangle',
    plane: axial,
    corners: [
      [0, 0, 0],
      [9, 7, 5],
    ],
    segment: 1,
    mode: 'fill',
    extent: 'volume',
  })
  const full = Uint8Array.from(doc.labels)
  scissors(doc, space, { shape: 'circle', plane: axial, centre: [5, 4, 2], radiusMm: 2, segment: 1, mode: 'erase', extent: 'volume' })
  assert.equal(voxelsOf(doc, 1).length, full.length - 7 * 6)
  doc.undo()
  assert.deepEqual(doc.labels, full)
})

test('refuses a circle centred outside, a size of 0 and a corner that is not a point', () => {
  const doc = documentOn(space)
  assert.throws(() => scissors(doc, space, { shape: 'circle', plane: axial, centre: [-1, 0, 0], radiusMm: 2, segment: 1, mode: 'fill' }), /outside the image/)
  assert.throws(() => scissors(doc, space, { shape: 'sphere', centre: [1, 1, 1], radiusMm: -1, segment: 1, mode: 'fill' }), /more than 0 mm/)
  assert.throws(
    () =>
      scissors(doc, space, {
        shape: 'rectangle',
        plane: axial,
        corners: [
          [0, 0, 0],
          [NaN, 0, 0],
        ],
        segment: 1,
        mode: 'fill',
      }),
    /two corners/,
  )
})
