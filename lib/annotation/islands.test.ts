import assert from 'node:assert/strict'
import { test } from 'node:test'
import { documentOn, indexOf, segment, voxelsOf } from '../../tests/support/labelmap-fixtures'
import { removeIslands } from './islands'
import type { Ijk, VoxelSpace } from './voxel-space'

const space: VoxelSpace = { columns: 12, rows: 10, slices: 6, spacing: [1, 1, 2] }

/** Segment 1: a 3 × 3 × 3 cube (27), a 2 × 1 × 2 bar (4) across slices, a single voxel touching the cube by a corner, a single voxel far away; segment 2 beside it. */
function islands() {
  const doc = documentOn(space, [segment(1), segment(2)])
  const cube: Ijk[] = []
  for (let k = 1; k <= 3; k++) for (let j = 1; j <= 3; j++) for (let i = 1; i <= 3; i++) cube.push([i, j, k])
  const bar: Ijk[] = [
    [8, 8, 2],
    [9, 8, 2],
    [8, 8, 3],
    [9, 8, 3],
  ]
  doc.transact('draw', (edit) => {
    for (const at of [...cube, ...bar, [4, 4, 4] as Ijk, [11, 0, 0] as Ijk]) edit.paint(indexOf(space, at), 1)
    edit.paint(indexOf(space, [6, 6, 0]), 2)
  })
  return doc
}

test('keeps the largest island, by faces or by corners too', () => {
  const doc = islands()
  assert.deepEqual(removeIslands(doc, space, { segment: 1, keep: 'largest' }), [0, 2, 3, 4])
  assert.equal(voxelsOf(doc, 1).length, 27)
  assert.equal(voxelsOf(doc, 2).length, 1)
  const corners = islands()
  removeIslands(corners, space, { segment: 1, keep: 'largest', connectivity: 26 })
  assert.equal(voxelsOf(corners, 1).length, 28)
})

test('removes islands under a size, and undo restores them', () => {
  const doc = islands()
  const before = Uint8Array.from(doc.labels)
  assert.deepEqual(removeIslands(doc, space, { segment: 1, keep: { minVoxels: 2 } }), [0, 4])
  assert.equal(voxelsOf(doc, 1).length, 27 + 4)
  removeIslands(doc, space, { segment: 1, keep: { minVoxels: 5 } })
  assert.equal(voxelsOf(doc, 1).length, 27)
  doc.undo()
  doc.undo()
  assert.deepEqual(doc.labels, before)
  assert.deepEqual(removeIslands(doc, space, { segment: 1, keep: { minVoxels: 1 } }), [])
  assert.throws(() => removeIslands(doc, space, { segment: 1, keep: { minVoxels: 0 } }), /above 0/)
})

test('an empty segment has no islands', () => {
  const doc = documentOn(space)
  assert.deepEqual(removeIslands(doc, space, { segment: 1, keep: 'largest' }), [])
})
