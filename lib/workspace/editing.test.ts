import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { LabelmapDocument } from '../annotation/labelmap-document'
import type { Vec3 } from '../dicom/geometry'
import type { SegmentGesture } from '../viewer/segment-gestures'
import { voxelFrameOf, voxelPlaneOf, worldToIjk } from '../viewer/voxel-frame'
import { applyGesture, defaultEditOptions, normalAxis, voxelSpaceOf, type EditOptions } from './editing'

// From the viewer's world points to the document: a frame of an axial series, the plane of
// a sagittal or axial viewport, and a gesture applied as one transaction.

const columns = 20
const rows = 20
const slices = 12
const frame = voxelFrameOf(
  Array.from({ length: slices }, (_, k) => ({
    position: [0, 0, 2 * k] as Vec3,
    rowDirection: [1, 0, 0] as Vec3,
    columnDirection: [0, 1, 0] as Vec3,
    columnSpacing: 1,
    rowSpacing: 1,
  })),
  columns,
  rows,
)
const space = voxelSpaceOf(frame)
const sagittal = voxelPlaneOf(frame, [0, 1, 0], [0, 0, -1])
const axial = voxelPlaneOf(frame, [1, 0, 0], [0, 1, 0])
const user = { kind: 'user', userId: 'u1' } as const

function documentWith(labels?: Uint8Array) {
  return new LabelmapDocument('1.2.3', { columns, rows, slices }, [{ number: 1, name: 'Lesion', color: [255, 0, 0], category: null, type: null, source: user }], labels)
}

/** Modality values: the column index ×10 (so a threshold picks columns). */
const values = (index: number) => (index % columns) * 10
const options = (patch: Partial<EditOptions> = {}): EditOptions => ({ ...defaultEditOptions, brushRadiusMm: 1.5, ...patch })
const slicesWith = (doc: LabelmapDocument) => [
  ...new Set(
    Array.from(doc.labels.keys())
      .filter((index) => doc.labels[index] === 1)
      .map((index) => Math.floor(index / (columns * rows))),
  ),
]

describe('applying the editing tools’ gestures', () => {
  it('paints a sagittal stroke into every axial slice it crosses, in one undo step that restores the labels exactly', () => {
    const doc = documentWith()
    const before = Uint8Array.from(doc.labels)
    // A vertical drag in the sagittal view at x = 10 mm, from z = 4 to z = 16 mm.
    const centres = [4, 8, 12, 16].map((z) => worldToIjk(frame, [10, 10, z]))
    const gesture: SegmentGesture = { kind: 'stroke', tool: 'SegmentBrush', centres, plane: sagittal, viewportId: 'sagittal' }
    const changed = applyGesture(doc, space, gesture, { segment: 1, options: options(), values })
    assert.deepEqual(slicesWith(doc), [2, 3, 4, 5, 6, 7, 8])
    assert.deepEqual(changed, [2, 3, 4, 5, 6, 7, 8])
    // On the sagittal plane only: column 10 and nothing beside it.
    for (let index = 0; index < doc.labels.length; index++) if (doc.labels[index]) assert.equal(index % columns, 10)
    assert.ok(doc.undo())
    assert.deepEqual(doc.labels, before)
    assert.ok(!doc.canUndo)
  })

  it('erases with the eraser and paints only in range with the threshold brush', () => {
    const doc = documentWith()
    const centre = worldToIjk(frame, [10, 10, 10])
    applyGesture(
      doc,
      space,
      { kind: 'stroke', tool: 'SegmentBrush', centres: [centre], plane: axial, viewportId: 'main' },
      { segment: 1, options: options({ brushRadiusMm: 4 }), values },
    )
    const painted = doc.labels.reduce((sum, v) => sum + v, 0)
    assert.ok(painted > 20)
    applyGesture(
      doc,
      space,
      { kind: 'stroke', tool: 'SegmentEraser', centres: [centre], plane: axial, viewportId: 'main' },
      { segment: 1, options: options({ brushRadiusMm: 4 }), values },
    )
    assert.equal(
      doc.labels.reduce((sum, v) => sum + v, 0),
      0,
    )
    applyGesture(
      doc,
      space,
      { kind: 'stroke', tool: 'ThresholdBrush', centres: [centre], plane: axial, viewportId: 'main' },
      { segment: 1, options: options({ brushRadiusMm: 4, threshold: { low: 100, high: 110 } }), values },
    )
    const columnsPainted = new Set(
      Array.from(doc.labels.keys())
        .filter((index) => doc.labels[index])
        .map((index) => index % columns),
    )
    assert.deepEqual(
      [...columnsPainted].sort((a, b) => a - b),
      [10, 11],
    )
  })

  it('fills a scissors rectangle on the slice shown and erases it again', () => {
    const doc = documentWith()
    const start = worldToIjk(frame, [2, 3, 6])
    const end = worldToIjk(frame, [5, 7, 6])
    const gesture: SegmentGesture = { kind: 'scissors', start, end, radiusMm: 5, plane: axial, viewportId: 'main' }
    applyGesture(doc, space, gesture, { segment: 1, options: options({ scissorsShape: 'rectangle', scissorsMode: 'fill' }), values })
    assert.deepEqual(slicesWith(doc), [3])
    assert.equal(
      doc.labels.reduce((sum, v) => sum + v, 0),
      4 * 5,
    )
    applyGesture(doc, space, gesture, { segment: 1, options: options({ scissorsShape: 'rectangle', scissorsMode: 'erase' }), values })
    assert.equal(
      doc.labels.reduce((sum, v) => sum + v, 0),
      0,
    )
  })

  it('grows a region from a click within the range', () => {
    const doc = documentWith()
    applyGesture(
      doc,
      space,
      { kind: 'grow', seed: worldToIjk(frame, [3, 0, 0]), plane: axial, viewportId: 'main' },
      { segment: 1, options: options({ grow: { low: 0, high: 40 } }), values },
    )
    // Columns 0 to 4 of every row and slice are connected and in range.
    assert.equal(
      doc.labels.reduce((sum, v) => sum + v, 0),
      5 * rows * slices,
    )
  })

  it('fills between slices along the axis across the plane edited in', () => {
    assert.equal(normalAxis(axial), 2)
    assert.equal(normalAxis(sagittal), 0)
    assert.equal(normalAxis(voxelPlaneOf(frame, [1, 0, 0], [0, 0, -1])), 1)
  })
})
