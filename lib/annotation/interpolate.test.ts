import assert from 'node:assert/strict'
import { test } from 'node:test'
import { documentOn, indexOf, segment, voxelsOf } from '../../tests/support/labelmap-fixtures'
import { interpolateSlices } from './interpolate'
import type { LabelmapDocument } from './labelmap-document'
import type { Ijk, VoxelSpace } from './voxel-space'

/** Paints a disc of `radius` mm (voxel centres within it) on the plane `position` across `axis`. */
function disc(doc: LabelmapDocument, space: VoxelSpace, axis: 0 | 1 | 2, position: number, centre: [number, number], radius: number, number = 1) {
  const [p, q] = [0, 1, 2].filter((other) => other !== axis) as [number, number]
  const dims = [space.columns, space.rows, space.slices]
  doc.transact('draw', (edit) => {
    for (let y = 0; y < dims[q]!; y++)
      for (let x = 0; x < dims[p]!; x++) {
        if (Math.hypot((x - centre[0]) * space.spacing[p]!, (y - centre[1]) * space.spacing[q]!) > radius) continue
        const at = [0, 0, 0] as Ijk
        at[axis] = position
        at[p] = x
        at[q] = y
        edit.paint(indexOf(space, at), number)
      }
  })
}

/** The in-plane distances (mm) from the centre of the segment's voxels on plane `position`. */
function radii(doc: LabelmapDocument, space: VoxelSpace, axis: 0 | 1 | 2, position: number, centre: [number, number]): number[] {
  const [p, q] = [0, 1, 2].filter((other) => other !== axis) as [number, number]
  return voxelsOf(doc, 1)
    .filter((at) => at[axis] === position)
    .map((at) => Math.hypot((at[p]! - centre[0]) * space.spacing[p]!, (at[q]! - centre[1]) * space.spacing[q]!))
}

test('between a small and a large disc, the filled slices are discs of intermediate radius', () => {
  const space: VoxelSpace = { columns: 40, rows: 40, slices: 6, spacing: [1, 1, 2.5] }
  const doc = documentOn(space)
  disc(doc, space, 2, 0, [20, 20], 4)
  disc(doc, space, 2, 4, [20, 20], 12)
  const labels: string[] = []
  doc.on('labels-changed', ({ label }) => labels.push(label))
  assert.deepEqual(interpolateSlices(doc, space, { segment: 1, axis: 2 }), [1, 2, 3])
  assert.deepEqual(labels, ['Fill between slices'])
  for (const [position, radius] of [
    [1, 6],
    [2, 8],
    [3, 10],
  ] as const) {
    const slice = radii(doc, space, 2, position, [20, 20])
    const inDisc = (r: number) => slice.filter((d) => d <= r).length
    // Every voxel within radius − 1 mm is in, none beyond radius + 1 mm.
    assert.ok(Math.max(...slice) <= radius + 1, `slice ${position} reaches ${Math.max(...slice)} mm`)
    let expectedInner = 0
    for (let j = 0; j < 40; j++) for (let i = 0; i < 40; i++) if (Math.hypot(i - 20, j - 20) <= radius - 1) expectedInner += 1
    assert.equal(inDisc(radius - 1), expectedInner, `slice ${position} holds the disc of ${radius - 1} mm`)
  }
  assert.equal(radii(doc, space, 2, 5, [20, 20]).length, 0, 'nothing after the last key slice')
  doc.undo()
  assert.deepEqual(radii(doc, space, 2, 2, [20, 20]), [])
})

test('between two equal shapes it copies the shape; slices already drawn stay as they are', () => {
  const space: VoxelSpace = { columns: 20, rows: 20, slices: 9, spacing: [0.8, 0.8, 3] }
  const doc = documentOn(space, [segment(1), segment(2)])
  disc(doc, space, 2, 1, [10, 10], 4)
  disc(doc, space, 2, 4, [10, 10], 2)
  disc(doc, space, 2, 7, [10, 10], 4)
  disc(doc, space, 2, 3, [3, 3], 1, 2)
  const key = radii(doc, space, 2, 4, [10, 10]).length
  const first = radii(doc, space, 2, 1, [10, 10]).length
  assert.deepEqual(interpolateSlices(doc, space, { segment: 1, axis: 2 }), [2, 3, 5, 6])
  assert.equal(radii(doc, space, 2, 4, [10, 10]).length, key)
  const between = radii(doc, space, 2, 2, [10, 10]).length
  assert.ok(between < first && between > key, `${between} voxels between ${first} and ${key}`)
  assert.equal(doc.labels[indexOf(space, [3, 3, 3])], 2, 'the other segment outside the interpolated shape is kept')
})

test('works across columns on anisotropic voxels (disc in millimetres, not in voxels)', () => {
  const space: VoxelSpace = { columns: 5, rows: 30, slices: 60, spacing: [2, 1, 0.5] }
  const doc = documentOn(space)
  disc(doc, space, 0, 0, [15, 30], 2)
  disc(doc, space, 0, 4, [15, 30], 6)
  assert.ok(interpolateSlices(doc, space, { segment: 1, axis: 0 }).length > 0)
  const middle = radii(doc, space, 0, 2, [15, 30])
  assert.ok(Math.max(...middle) <= 5, `reaches ${Math.max(...middle)} mm`)
  let inner = 0
  for (let k = 0; k < 60; k++) for (let j = 0; j < 30; j++) if (Math.hypot(j - 15, (k - 30) * 0.5) <= 3) inner += 1
  assert.equal(middle.filter((d) => d <= 3).length, inner)
})

test('needs two key slices along the axis', () => {
  const space: VoxelSpace = { columns: 10, rows: 10, slices: 4, spacing: [1, 1, 1] }
  const doc = documentOn(space)
  disc(doc, space, 2, 1, [5, 5], 2)
  assert.throws(() => interpolateSlices(doc, space, { segment: 1, axis: 2 }), /at least two slices/)
  assert.deepEqual(interpolateSlices(doc, space, { segment: 1, axis: 0 }), [], 'along columns its slices are adjacent: nothing to fill')
})
