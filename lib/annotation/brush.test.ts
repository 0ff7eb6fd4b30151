import assert from 'node:assert/strict'
import { test } from 'node:test'
import { axial, documentOn, indexOf, sagittal, segment, voxelsOf } from '../../tests/support/labelmap-fixtures'
import { paintCircle, paintSphere, paintStroke } from './brush'
import { LabelmapError } from './labelmap-document'
import type { VoxelSpace } from './voxel-space'

const anisotropic: VoxelSpace = { columns: 20, rows: 20, slices: 5, spacing: [0.5, 1, 3] }

test('a circle on anisotropic voxels takes the voxels within the radius in millimetres, on one slice', () => {
  const doc = documentOn(anisotropic)
  // r = 1 mm with 0.5 mm columns and 1 mm rows: 5 voxels along the row (±2 columns), 1 above and 1 below.
  assert.deepEqual(paintCircle(doc, anisotropic, { centre: [10, 10, 2], radiusMm: 1, plane: axial, segment: 1, mode: 'paint' }), [2])
  assert.deepEqual(voxelsOf(doc, 1), [
    [10, 9, 2],
    [8, 10, 2],
    [9, 10, 2],
    [10, 10, 2],
    [11, 10, 2],
    [12, 10, 2],
    [10, 11, 2],
  ])
  // r = 2 mm: rows 0 → 9 columns, ±1 → 7 each (|di| ≤ √3 / 0.5), ±2 → 1 each: 25.
  const wide = documentOn(anisotropic)
  paintCircle(wide, anisotropic, { centre: [10, 10, 2], radiusMm: 2, plane: axial, segment: 1, mode: 'paint' })
  assert.equal(voxelsOf(wide, 1).length, 25)
})

test('a plane between two slices paints one of them, and the in-plane axes need not be orthogonal', () => {
  const doc = documentOn(anisotropic)
  assert.deepEqual(paintCircle(doc, anisotropic, { centre: [10, 10, 2.5], radiusMm: 1, plane: { u: [1, 0, 0], v: [1, 1, 0] }, segment: 1, mode: 'paint' }), [3])
  assert.equal(voxelsOf(doc, 1).length, 7)
})

test('a sphere on anisotropic voxels', () => {
  const space: VoxelSpace = { columns: 9, rows: 9, slices: 9, spacing: [1, 1, 2] }
  const doc = documentOn(space)
  // r = 2 mm: 13 voxels on the centre slice (i² + j² ≤ 4), the centre voxel on each neighbour slice (2 mm away).
  assert.deepEqual(paintSphere(doc, space, { centre: [4, 4, 4], radiusMm: 2, segment: 1, mode: 'paint' }), [3, 4, 5])
  assert.equal(voxelsOf(doc, 1).length, 15)
  assert.deepEqual(
    voxelsOf(doc, 1).filter(([, , k]) => k !== 4),
    [
      [4, 4, 3],
      [4, 4, 5],
    ],
  )
})

test('a sagittal stroke changes the axial slices it crosses, leaves no gap between distant points, and undo restores them exactly', () => {
  const space: VoxelSpace = { columns: 10, rows: 10, slices: 10, spacing: [1, 1, 1] }
  const doc = documentOn(space, [segment(1), segment(2)])
  doc.transact('setup', (edit) => {
    edit.paint(indexOf(space, [5, 2, 4]), 2)
    edit.paint(indexOf(space, [6, 2, 4]), 2)
  })
  const before = Uint8Array.from(doc.labels)
  const slices = paintStroke(doc, space, {
    centres: [
      [5, 2, 2],
      [5, 2, 7],
    ],
    radiusMm: 1,
    shape: 'circle',
    plane: sagittal,
    segment: 1,
    mode: 'paint',
  })
  assert.deepEqual(slices, [1, 2, 3, 4, 5, 6, 7, 8])
  const painted = voxelsOf(doc, 1)
  // Column 5 only; row 2 from slice 1 to 8 (the radius beyond each end), rows 1 and 3 from slice 2 to 7.
  assert.equal(painted.length, 8 + 6 + 6)
  assert.ok(painted.every(([i]) => i === 5))
  for (let k = 1; k <= 8; k++) assert.ok(doc.labels[indexOf(space, [5, 2, k])] === 1, `slice ${k} painted`)
  assert.equal(doc.labels[indexOf(space, [5, 2, 4])], 1, 'the brush replaces the other segment of its layer')
  assert.equal(doc.labels[indexOf(space, [6, 2, 4])], 2)
  assert.equal(doc.undo(), true)
  assert.deepEqual(doc.labels, before)
  assert.equal(doc.undo(), true, 'the stroke was one undo step')
  assert.equal(doc.canUndo, false)
})

test('the threshold brush paints only voxels whose value lies in the range', () => {
  const doc = documentOn(anisotropic)
  const labels: string[] = []
  doc.on('labels-changed', ({ label }) => labels.push(label))
  const values = new Float32Array(doc.voxels).map((_, index) => index % anisotropic.columns) // value = column
  paintCircle(doc, anisotropic, { centre: [10, 10, 2], radiusMm: 2, plane: axial, segment: 1, mode: 'paint', threshold: { low: 9, high: 11, values } })
  // Of the 25 voxels of the r = 2 mm disc, columns 9–11: 3 on row 10, 3 on rows 9 and 11 each, 1 on rows 8 and 12 each.
  const painted = voxelsOf(doc, 1)
  assert.equal(painted.length, 11)
  assert.ok(painted.every(([i]) => i >= 9 && i <= 11))
  assert.deepEqual(labels, ['Threshold brush'])
  assert.throws(
    () => paintCircle(doc, anisotropic, { centre: [10, 10, 2], radiusMm: 2, plane: axial, segment: 1, mode: 'paint', threshold: { low: 5, high: 4, values } }),
    /range is empty/,
  )
  assert.throws(
    () => paintCircle(doc, anisotropic, { centre: [10, 10, 2], radiusMm: 2, plane: axial, segment: 1, mode: 'paint', threshold: { low: 0, high: 4, values: new Float32Array(3) } }),
    LabelmapError,
  )
})

test('the eraser clears only its own segment', () => {
  const space: VoxelSpace = { columns: 9, rows: 9, slices: 1, spacing: [1, 1, 1] }
  const doc = documentOn(space, [segment(1), segment(2)])
  paintCircle(doc, space, { centre: [4, 4, 0], radiusMm: 2, plane: axial, segment: 1, mode: 'paint' })
  doc.transact('other', (edit) => edit.paint(indexOf(space, [0, 0, 0]), 2))
  const labels: string[] = []
  doc.on('labels-changed', ({ label }) => labels.push(label))
  paintCircle(doc, space, { centre: [4, 4, 0], radiusMm: 1, plane: axial, segment: 1, mode: 'erase' })
  assert.equal(voxelsOf(doc, 1).length, 13 - 5)
  assert.deepEqual(paintCircle(doc, space, { centre: [0, 0, 0], radiusMm: 1, plane: axial, segment: 1, mode: 'erase' }), [])
  assert.equal(doc.labels[0], 2)
  assert.deepEqual(labels, ['Eraser'])
})

test('refuses a centre outside the image, a size of 0, a flat plane, an unknown segment and another grid', () => {
  const doc = documentOn(anisotropic)
  const circle = { centre: [10, 10, 2] as [number, number, number], radiusMm: 1, plane: axial, segment: 1, mode: 'paint' as const }
  assert.throws(() => paintCircle(doc, anisotropic, { ...circle, centre: [10, 10, 5] }), /outside the image/)
  assert.throws(() => paintCircle(doc, anisotropic, { ...circle, radiusMm: 0 }), /more than 0 mm/)
  assert.throws(() => paintCircle(doc, anisotropic, { ...circle, plane: { u: [1, 0, 0], v: [2, 0, 0] } }), /two different/)
  assert.throws(() => paintCircle(doc, anisotropic, { ...circle, segment: 7 }), /Segment 7/)
  assert.throws(() => paintCircle(doc, { ...anisotropic, slices: 4 }, circle), /not the labelmap's/)
  assert.throws(() => paintStroke(doc, anisotropic, { ...circle, shape: 'circle', centres: [] }), LabelmapError)
  assert.equal(doc.canUndo, false)
})

test('on an oblique plane, the disc takes the voxels whose cells the plane crosses', () => {
  const space: VoxelSpace = { columns: 9, rows: 9, slices: 9, spacing: [1, 1, 1] }
  const doc = documentOn(space)
  // The plane at 45° between rows and slices (normal (0, −1, 1)/√2): a voxel is on it when
  // dk − dj is 0 or 1 (the slab is half-open). Within 1 mm in the plane: the centre and its two
  // column neighbours (dk = dj = 0), and (0, 0, +1), (0, −1, 0), each 1/√2 mm away in the plane.
  const slices = paintCircle(doc, space, { centre: [4, 4, 4], radiusMm: 1, plane: { u: [1, 0, 0], v: [0, Math.SQRT1_2, Math.SQRT1_2] }, segment: 1, mode: 'paint' })
  assert.deepEqual(slices, [4, 5])
  assert.deepEqual(voxelsOf(doc, 1), [
    [4, 3, 4],
    [3, 4, 4],
    [4, 4, 4],
    [5, 4, 4],
    [4, 4, 5],
  ])
})
