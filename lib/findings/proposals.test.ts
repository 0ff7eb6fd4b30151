// Proposals from a model's output: lesions found as 3D components, located in patient
// coordinates on the image where they are largest, measured along their long axis.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { pixelToPatient, type SeriesFrame } from '../dicom/geometry'
import { connectedComponents, findingsFromClassification, findingsFromSegmentation, longAxisMm } from './proposals'
import { findingLocationSchema } from './types'

const columns = 20
const rows = 16
const frame: SeriesFrame = {
  seriesInstanceUid: '1.2.3',
  frameOfReferenceUid: '1.2.4',
  geometry: { columns, rows, columnSpacing: 0.5, rowSpacing: 0.8, rowDirection: [1, 0, 0], columnDirection: [0, 1, 0] },
  images: [0, 1, 2, 3].map((index) => ({ sopInstanceUid: `1.2.5.${index}`, position: [-10, -20, 100 + 2.5 * index] as [number, number, number] })),
}

function paint(labels: Uint8Array, image: number, column0: number, row0: number, width: number, height: number) {
  for (let row = row0; row < row0 + height; row++) for (let column = column0; column < column0 + width; column++) labels[image * columns * rows + row * columns + column] = 1
}

describe('proposals', () => {
  it('maps pixels to patient coordinates with PixelSpacing as rows then columns', () => {
    assert.deepEqual(pixelToPatient(frame, 2, 4, 10), [-10 + 4 * 0.5, -20 + 10 * 0.8, 105])
  })

  it('finds separate lesions as 3D components and ignores other labels', () => {
    const labels = new Uint8Array(4 * columns * rows)
    paint(labels, 0, 2, 2, 3, 3)
    paint(labels, 1, 2, 2, 4, 4) // joins the first through the slice below
    paint(labels, 3, 12, 8, 2, 2) // separate: image 2 between is empty
    labels[5] = 2
    const components = connectedComponents(labels, columns, rows, 4, 1)
    assert.deepEqual(
      components.map((component) => component.voxels).sort((a, b) => a - b),
      [4, 25],
    )
  })

  it('proposes each lesion at its largest image with a box, long axis and probability', () => {
    const labels = new Uint8Array(4 * columns * rows)
    paint(labels, 0, 2, 2, 3, 3)
    paint(labels, 1, 2, 2, 4, 4)
    paint(labels, 3, 12, 8, 2, 2)
    const probabilities = [0, 1, 2, 3].map((image) => new Float32Array(10 * 8).fill(image === 1 ? 0.9 : 0.6))
    const findings = findingsFromSegmentation({ labels, foreground: { probabilities, columns: 10, rows: 8 } }, frame, { value: 1, finding: 'Lung nodule' })
    assert.equal(findings.length, 2)
    const [large, small] = findings
    assert.equal(large!.location.sliceIndex, 1)
    assert.equal(large!.location.sopInstanceUid, '1.2.5.1')
    assert.equal(large!.location.kind, 'bbox')
    assert.deepEqual(large!.location.points[0], pixelToPatient(frame, 1, 1.5, 1.5))
    assert.deepEqual(large!.location.points[2], pixelToPatient(frame, 1, 5.5, 5.5))
    assert.ok(Math.abs(large!.probability! - 0.9) < 1e-6)
    assert.ok(Math.abs(small!.probability! - 0.6) < 1e-6)
    // 4×4 pixels: the diagonal between pixel centres is √((3·0.5)²+(3·0.8)²) = 2.83 mm, plus one pixel (0.5 mm).
    assert.equal(large!.measurementMm, 3.3)
    for (const finding of findings) assert.ok(findingLocationSchema.safeParse(finding.location).success)
    // Without a probability map there is no probability to report, rather than a made-up one.
    const [unscored] = findingsFromSegmentation({ labels, foreground: null }, frame, { value: 1, finding: 'Lung nodule' })
    assert.equal(unscored!.probability, null)
  })

  it('measures the long axis between the farthest boundary pixels', () => {
    const pixels = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((column) => 3 * columns + column)
    assert.ok(Math.abs(longAxisMm(pixels, columns, 0.5, 0.8) - (9 * 0.5 + 0.5)) < 1e-9)
  })

  it('proposes a positive series at its highest-scoring image, and nothing below the operating point', () => {
    const slices = [
      [0.9, 0.02],
      [0.2, 0.8],
      [0.5, 0.5],
      [0.95, 0.05],
    ]
    const [finding] = findingsFromClassification(slices, frame, { finding: 'Lung nodule' }, 0.3)
    assert.equal(finding!.location.kind, 'slice')
    assert.equal(finding!.location.sliceIndex, 1)
    assert.equal(finding!.probability, 0.8)
    assert.deepEqual(findingsFromClassification(slices, frame, { finding: 'Lung nodule' }, 0.85), [])
  })
})
