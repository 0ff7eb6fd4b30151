// Pixel ↔ patient geometry pinned against hand computation on an oblique image with
// non-square pixels, where swapping PixelSpacing's order or the half-pixel convention shows.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import imageToWorldCoords from '@cornerstonejs/core/utilities/imageToWorldCoords'
import worldToImageCoords from '@cornerstonejs/core/utilities/worldToImageCoords'
import metadataProvider from '@cornerstonejs/core/utilities/genericMetadataProvider'
import {
  centreToCorner,
  cornerToCentre,
  patientToPixel,
  pixelBoxCorners,
  pixelToPatient,
  positionAlongNormal,
  seriesFrameOf,
  sliceNormal,
  sliceSpacing,
  sliceSteps,
  stackGeometryOf,
  type ImageOrientation,
  type SeriesFrame,
  type Vec3,
} from './geometry'

// Row direction (increasing column) r = (0.6, 0.8, 0); column direction (increasing row)
// k = (0.64, −0.48, −0.6): both unit length (0.36 + 0.64 = 1; 0.4096 + 0.2304 + 0.36 = 1)
// and orthogonal (0.384 − 0.384 + 0 = 0), tilted about two axes.
const ORIENTATION: ImageOrientation = [0.6, 0.8, 0, 0.64, -0.48, -0.6]
// PixelSpacing [0.7, 0.9]: rows are 0.7 mm apart (steps along k), columns 0.9 mm (along r).
const PIXEL_SPACING: [number, number] = [0.7, 0.9]
const ORIGIN: Vec3 = [-100, 50, 20]
// Normal r × k = (0.8·−0.6 − 0·−0.48, 0·0.64 − 0.6·−0.6, 0.6·−0.48 − 0.8·0.64) = (−0.48, 0.36, −0.8).
const NORMAL: Vec3 = [-0.48, 0.36, -0.8]

/** Three slices 2.5 mm apart along the normal: 2.5·n = (−1.2, 0.9, −2). */
const POSITIONS: Vec3[] = [ORIGIN, [-101.2, 50.9, 18], [-102.4, 51.8, 16]]

function image(index: number, position: Vec3 | null = POSITIONS[index]!) {
  return {
    sopInstanceUid: `1.2.3.${index}`,
    frameOfReferenceUid: '1.2.4',
    numberOfFrames: 1,
    rows: 3,
    columns: 4,
    imagePositionPatient: position,
    imageOrientationPatient: ORIENTATION,
    pixelSpacing: PIXEL_SPACING,
  }
}

const frame = seriesFrameOf({ seriesInstanceUid: '1.2.3', instances: [image(0), image(1), image(2)] }) as SeriesFrame

function assertClose(actual: readonly number[] | undefined, expected: readonly number[], tolerance = 1e-9) {
  assert.equal(actual?.length, expected.length)
  actual!.forEach((value, axis) => assert.ok(Math.abs(value - expected[axis]!) <= tolerance, `${JSON.stringify(actual)} ≠ ${JSON.stringify(expected)}`))
}

describe('pixel ↔ patient geometry', () => {
  it('reads PixelSpacing as [row spacing, column spacing] and the first IOP triplet as the row direction', () => {
    assert.deepEqual(stackGeometryOf(image(0)), { columns: 4, rows: 3, rowSpacing: 0.7, columnSpacing: 0.9, rowDirection: [0.6, 0.8, 0], columnDirection: [0.64, -0.48, -0.6] })
  })

  it('puts pixel centres at integer coordinates, pixel (0, 0) at ImagePositionPatient', () => {
    assertClose(pixelToPatient(frame, 0, 0, 0), [-100, 50, 20])
    // Pixel (column 10, row 20): 10 · 0.9 = 9 mm along r = (5.4, 7.2, 0), and
    // 20 · 0.7 = 14 mm along k = (8.96, −6.72, −8.4): (−100 + 5.4 + 8.96, 50 + 7.2 − 6.72, 20 − 8.4).
    assertClose(pixelToPatient(frame, 0, 10, 20), [-85.64, 50.48, 11.6])
    // The same pixel on the second slice is 2.5 mm further along the normal: + (−1.2, 0.9, −2).
    assertClose(pixelToPatient(frame, 1, 10, 20), [-86.84, 51.38, 9.6])
  })

  it('puts the outer corner of the image half a pixel before the first centre', () => {
    // (−0.5, −0.5): −0.45 mm along r = (−0.27, −0.36, 0), −0.35 mm along k = (−0.224, 0.168, 0.21).
    assertClose(pixelToPatient(frame, 0, -0.5, -0.5), [-100.494, 49.808, 20.21])
    // The whole 4 × 3 image as a box: the far corner (3.5, 2.5) is 3.15 mm along r = (1.89, 2.52, 0)
    // and 1.75 mm along k = (1.12, −0.84, −1.05).
    const corners = pixelBoxCorners(0, 0, 3, 2).map(([column, row]) => pixelToPatient(frame, 0, column, row))
    assertClose(corners[0]!, [-100.494, 49.808, 20.21])
    assertClose(corners[2]!, [-100 + 1.89 + 1.12, 50 + 2.52 - 0.84, 20 - 1.05])
    assert.deepEqual(pixelBoxCorners(2, 5, 2, 5), [
      [1.5, 4.5],
      [2.5, 4.5],
      [2.5, 5.5],
      [1.5, 5.5],
    ])
  })

  it('converts between Cornerstone corner-based image coordinates and centre-based pixels', () => {
    assert.deepEqual(cornerToCentre([0, 0]), [-0.5, -0.5])
    assert.deepEqual(cornerToCentre([10.5, 20.5]), [10, 20])
    assert.deepEqual(centreToCorner([10, 20]), [10.5, 20.5])
    // Cornerstone's image corner (0, 0) is the image's outer corner in patient space.
    assertClose(pixelToPatient(frame, 0, ...cornerToCentre([0, 0])), [-100.494, 49.808, 20.21])
  })

  it('maps patient points back to pixels, projecting points off the plane onto it', () => {
    assertClose(patientToPixel(frame, 0, [-85.64, 50.48, 11.6]), [10, 20])
    assertClose(patientToPixel(frame, 0, [-100.494, 49.808, 20.21]), [-0.5, -0.5])
    for (const [column, row] of [
      [0, 0],
      [3, 2],
      [1.25, -7.5],
      [511.5, 300],
    ] as [number, number][]) {
      assertClose(patientToPixel(frame, 2, pixelToPatient(frame, 2, column, row)), [column, row])
    }
    const above = pixelToPatient(frame, 0, 10, 20).map((value, axis) => value + 3 * NORMAL[axis]!) as Vec3
    assertClose(patientToPixel(frame, 0, above), [10, 20])
  })

  it('gives the slice normal, the positions along it and the spacing of an oblique stack', () => {
    assertClose(sliceNormal(frame.geometry.rowDirection, frame.geometry.columnDirection), NORMAL)
    // ORIGIN · n = 48 + 18 − 16 = 50; each slice 2.5 mm further.
    const distances = [POSITIONS[2]!, POSITIONS[0]!, POSITIONS[1]!].map((position) => positionAlongNormal(position, NORMAL))
    assertClose(distances, [55, 50, 52.5])
    const { steps, duplicates } = sliceSteps(distances)
    assertClose(steps, [2.5, 2.5])
    assert.equal(duplicates, 0)
    assert.ok(Math.abs(sliceSpacing(steps)! - 2.5) < 1e-9)
  })

  it('takes a step that occurs as the spacing, counting repeated positions apart', () => {
    // Steps 1, 1, 2, 2: the mean of the middle two (1.5) would put no slice on a whole index.
    assert.deepEqual(sliceSteps([6, 0, 4, 1, 2]), { steps: [1, 1, 2, 2], duplicates: 0 })
    assert.equal(sliceSpacing([1, 1, 2, 2]), 1)
    assert.deepEqual(sliceSteps([0, 1, 1, 2.5]), { steps: [1, 1.5], duplicates: 1 })
    assert.equal(sliceSpacing([]), null)
  })

  it('locates nothing on series without full single-frame geometry', () => {
    assert.equal(seriesFrameOf({ seriesInstanceUid: '1', instances: [] }), null)
    assert.equal(seriesFrameOf({ seriesInstanceUid: '1', instances: [image(0), image(1, null)] }), null)
    assert.equal(seriesFrameOf({ seriesInstanceUid: '1', instances: [{ ...image(0), numberOfFrames: 2 }] }), null)
    assert.equal(seriesFrameOf({ seriesInstanceUid: '1', instances: [{ ...image(0), pixelSpacing: null }] }), null)
    assert.deepEqual(
      frame.images.map((entry) => entry.sopInstanceUid),
      ['1.2.3.0', '1.2.3.1', '1.2.3.2'],
    )
  })
})

describe("Cornerstone 5.14's image coordinates", () => {
  // Its utilities compute IPP + rowCosines·rowPixelSpacing·(x − 0.5) + columnCosines·columnPixelSpacing·(y − 0.5),
  // with rowPixelSpacing = PixelSpacing[0]; they work in float32.
  const plane = (imageId: string, [rowSpacing, columnSpacing]: [number, number]) =>
    metadataProvider.add(imageId, {
      type: 'imagePlaneModule',
      metadata: { imagePositionPatient: ORIGIN, rowCosines: [0.6, 0.8, 0], columnCosines: [0.64, -0.48, -0.6], rowPixelSpacing: rowSpacing, columnPixelSpacing: columnSpacing },
    })

  it('are corner-based: they agree with centreToCorner on square pixels', () => {
    plane('geometry-test:square', [0.8, 0.8])
    const square = seriesFrameOf({ seriesInstanceUid: '1', instances: [{ ...image(0), pixelSpacing: [0.8, 0.8] }] })!
    for (const pixel of [
      [0, 0],
      [10, 20],
      [-0.5, -0.5],
    ] as [number, number][]) {
      const world = pixelToPatient(square, 0, ...pixel)
      assertClose(imageToWorldCoords('geometry-test:square', centreToCorner(pixel)), world, 1e-4)
      assertClose(worldToImageCoords('geometry-test:square', world), centreToCorner(pixel), 1e-4)
    }
  })

  it('swap the spacings on non-square pixels (cornerstone3D#2758), so the viewer does not use them', () => {
    // If this fails, Cornerstone has fixed the swap and its utilities agree with geometry.ts again.
    plane('geometry-test:oblique', PIXEL_SPACING)
    // Pixel (10, 20) comes out 10 · 0.7 = 7 mm along r = (4.2, 5.6, 0) and 20 · 0.9 = 18 mm
    // along k = (11.52, −8.64, −10.8): (−84.28, 46.96, 9.2), not (−85.64, 50.48, 11.6).
    assertClose(imageToWorldCoords('geometry-test:oblique', centreToCorner([10, 20])), [-84.28, 46.96, 9.2], 1e-4)
  })
})
