import assert from 'node:assert/strict'
import { test } from 'node:test'
import { LabelmapDocument } from '../annotation/labelmap-document'
import { modelOriginalOf, seriesSpacing, submissionFigures } from './submission-figures'

const model = { kind: 'model', id: 'lesion-seg-2d', version: '1.0.0', sha256: 'a'.repeat(64) } as const
const grid = { columns: 4, rows: 2, slices: 2 }

test('figures: voxels and volume per segment, correction Dice against the model original', () => {
  const labels = new Uint8Array(16)
  labels.set([1, 1, 1, 1], 0)
  const document = new LabelmapDocument('1.2', grid, [{ number: 1, name: 'Lesion', color: [255, 0, 0], category: null, type: null, source: model }], labels)
  const original = modelOriginalOf(document)
  assert.deepEqual(original?.model, { id: 'lesion-seg-2d', version: '1.0.0' })
  // The annotator erases one voxel and adds two: |A|=4, |B|=5, |A∩B|=3 → Dice 6/9.
  document.transact('edit', (edit) => {
    edit.erase(0, 1)
    edit.paint(8, 1)
    edit.paint(9, 1)
  })
  const [figures] = submissionFigures(document, [0.5, 0.5, 2], original)
  assert.equal(figures!.voxels, 5)
  assert.ok(Math.abs(figures!.volumeMl - (5 * 0.5) / 1000) < 1e-12)
  assert.ok(Math.abs(figures!.correctionDice! - 6 / 9) < 1e-12)
  assert.deepEqual(figures!.aiModel, { id: 'lesion-seg-2d', version: '1.0.0' })
})

test('figures: a hand-drawn segment has no correction magnitude', () => {
  const document = new LabelmapDocument('1.2', grid, [{ number: 2, name: 'Organ', color: [0, 255, 0], category: null, type: null, source: { kind: 'user', userId: 'u1' } }])
  assert.equal(modelOriginalOf(document), null)
  assert.deepEqual(submissionFigures(document, [1, 1, 1], null), [{ segmentNumber: 2, voxels: 0, volumeMl: 0, correctionDice: null, aiModel: null }])
})

test('spacing: Pixel Spacing is (row, column); slices from the geometry', () => {
  const series = { instances: [{ pixelSpacing: [0.7, 0.9] }], geometry: { sliceSpacing: 2.5 } } as unknown as Parameters<typeof seriesSpacing>[0]
  assert.deepEqual(seriesSpacing(series), [0.9, 0.7, 2.5])
})
