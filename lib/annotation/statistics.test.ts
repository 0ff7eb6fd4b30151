import assert from 'node:assert/strict'
import { test } from 'node:test'
import { documentOn, segment } from '../../tests/support/labelmap-fixtures'
import { segmentStatistics } from './statistics'
import type { VoxelSpace } from './voxel-space'

const space: VoxelSpace = { columns: 6, rows: 5, slices: 4, spacing: [0.5, 0.8, 2.5] }

test('volume from the spacing; mean, SD, min and max of the values under the segment', () => {
  const doc = documentOn(space, [segment(1), segment(2, 1)])
  let seed = 3
  const values = Float32Array.from({ length: doc.voxels }, () => ((seed = (seed * 48271) % 2147483647) / 2147483647) * 2000 - 1000)
  const picked = [3, 17, 18, 40, 41, 42, 99, 119]
  doc.transact('draw', (edit) => {
    for (const index of picked) edit.paint(index, 1)
    edit.paint(17, 2)
  })
  const stats = segmentStatistics(doc, space, 1, values)
  const direct = picked.map((index) => values[index]!)
  const mean = direct.reduce((a, b) => a + b, 0) / direct.length
  const sd = Math.sqrt(direct.reduce((a, b) => a + (b - mean) ** 2, 0) / direct.length)
  assert.equal(stats.voxels, 8)
  assert.ok(Math.abs(stats.volumeMl - (8 * 0.5 * 0.8 * 2.5) / 1000) < 1e-12)
  assert.ok(Math.abs(stats.mean! - mean) < 1e-9)
  assert.ok(Math.abs(stats.sd! - sd) < 1e-9)
  assert.equal(stats.min, Math.min(...direct))
  assert.equal(stats.max, Math.max(...direct))
  assert.equal(segmentStatistics(doc, space, 2, values).voxels, 1, 'the overlapping segment counts its own layer')
})

test('an empty segment has no values; values must cover the image', () => {
  const doc = documentOn(space)
  assert.deepEqual(segmentStatistics(doc, space, 1, new Float32Array(doc.voxels)), { voxels: 0, volumeMl: 0, mean: null, sd: null, min: null, max: null })
  assert.throws(() => segmentStatistics(doc, space, 1, new Float32Array(5)), /holds 5 values/)
  assert.throws(() => segmentStatistics(doc, space, 3, new Float32Array(doc.voxels)), /Segment 3/)
})
