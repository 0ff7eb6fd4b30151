import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { orderSeries } from '../dicom/series-geometry'
import type { Vec3 } from '../dicom/geometry'
import type { DicomInstance } from '../dicom/types'
import { initialSliceIndex } from './initial-slice'

type Orientation = NonNullable<DicomInstance['imageOrientationPatient']>

function image(n: number, position: Vec3 | null, orientation: Orientation, overrides: Partial<DicomInstance> = {}): DicomInstance {
  return {
    source: `slice-${n}`,
    fileIndex: n,
    sopInstanceUid: `1.2.3.${n}`,
    sopClassUid: '1.2.840.10008.5.1.4.1.1.2',
    transferSyntaxUid: '1.2.840.10008.1.2.1',
    studyInstanceUid: '1.2.3',
    seriesInstanceUid: '1.2.3.1',
    patientName: '',
    patientId: '',
    patientBirthDate: '',
    patientSex: '',
    studyDate: '',
    studyTime: '',
    studyDescription: '',
    accessionNumber: '',
    studyId: '',
    referringPhysicianName: '',
    frameOfReferenceUid: '',
    seriesDescription: '',
    seriesNumber: 1,
    modality: 'CT',
    instanceNumber: n,
    rows: 64,
    columns: 64,
    numberOfFrames: 1,
    samplesPerPixel: 1,
    photometricInterpretation: 'MONOCHROME2',
    bitsAllocated: 16,
    pixelRepresentation: 0,
    hasPixelData: true,
    imagePositionPatient: position,
    imageOrientationPatient: orientation,
    pixelSpacing: [0.7, 0.7],
    sliceThickness: null,
    rescaleSlope: 1,
    rescaleIntercept: 0,
    windowCenter: null,
    windowWidth: null,
    warnings: [],
    ...overrides,
  }
}

/** A series of `count` slices 2.5 mm apart along `step` (count not a multiple of 7), in shuffled file order, ordered as the viewer orders it. */
function series(orientation: Orientation, step: Vec3, count = 9, overrides: Partial<DicomInstance> = {}) {
  const order = Array.from({ length: count }, (_, i) => (i * 7) % count)
  const instances = order.map((i) => image(i + 1, [10 + step[0] * i, -20 + step[1] * i, -300 + step[2] * i], orientation, overrides))
  return orderSeries(instances)
}

const zOf = (ordered: ReturnType<typeof series>, index: number) => ordered.instances[index]!.imagePositionPatient![2]
const maxZ = (ordered: ReturnType<typeof series>) => Math.max(...ordered.instances.map((instance) => instance.imagePositionPatient![2]))

describe('initialSliceIndex', () => {
  it('opens a head-first axial series on its most superior slice (the last along the normal)', () => {
    const ordered = series([1, 0, 0, 0, 1, 0], [0, 0, 2.5])
    const index = initialSliceIndex(ordered)
    assert.equal(index, ordered.instances.length - 1)
    assert.equal(zOf(ordered, index), maxZ(ordered))
  })

  it('reads z, not the order: a flipped axial series whose normal points down opens on index 0', () => {
    // Row (-1,0,0) × column (0,1,0) = (0,0,-1): ordered head to foot.
    const ordered = series([-1, 0, 0, 0, 1, 0], [0, 0, 2.5])
    assert.equal(zOf(ordered, 0), maxZ(ordered))
    assert.equal(initialSliceIndex(ordered), 0)
  })

  it('treats a gantry-tilted series as axial', () => {
    const tilt = (20 * Math.PI) / 180
    const ordered = series([1, 0, 0, 0, Math.cos(tilt), Math.sin(tilt)], [0, -Math.sin(tilt) * 2.5, Math.cos(tilt) * 2.5])
    assert.equal(zOf(ordered, initialSliceIndex(ordered)), maxZ(ordered))
    assert.notEqual(initialSliceIndex(ordered), 0)
  })

  it('keeps index 0 for sagittal and coronal series', () => {
    assert.equal(initialSliceIndex(series([0, 1, 0, 0, 0, -1], [2.5, 0, 0])), 0)
    assert.equal(initialSliceIndex(series([1, 0, 0, 0, 0, -1], [0, 2.5, 0])), 0)
  })

  it('keeps index 0 without usable geometry or with multi-frame images', () => {
    const missing = orderSeries([image(1, null, [1, 0, 0, 0, 1, 0]), image(2, [0, 0, 5], [1, 0, 0, 0, 1, 0])])
    assert.equal(initialSliceIndex(missing), 0)
    assert.equal(initialSliceIndex(series([1, 0, 0, 0, 1, 0], [0, 0, 2.5], 3, { numberOfFrames: 4 })), 0)
  })

  it('counts images only: a non-image object in the series does not shift the index', () => {
    const ordered = series([1, 0, 0, 0, 1, 0], [0, 0, 2.5], 5)
    const withReport = { ...ordered, instances: [...ordered.instances, image(99, [0, 0, 500], [1, 0, 0, 0, 1, 0], { hasPixelData: false, numberOfFrames: 0 })] }
    assert.equal(initialSliceIndex(withReport), 4)
  })
})
