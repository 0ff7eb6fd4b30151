import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync, readdirSync } from 'node:fs'
import { missingSharedData, sharedDataPath } from '../../tests/support/shared-data'
import { parseInstance } from './parse-instance'
import { orderSeries } from './series-geometry'
import type { Vec3 } from './geometry'
import type { DicomInstance } from './types'

type Orientation = NonNullable<DicomInstance['imageOrientationPatient']>

function instance(overrides: Partial<DicomInstance>): DicomInstance {
  return {
    source: `slice-${overrides.instanceNumber ?? 0}`,
    fileIndex: 0,
    sopInstanceUid: `1.2.3.${overrides.instanceNumber ?? 0}`,
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
    instanceNumber: null,
    rows: 256,
    columns: 256,
    numberOfFrames: 1,
    samplesPerPixel: 1,
    photometricInterpretation: 'MONOCHROME2',
    bitsAllocated: 16,
    pixelRepresentation: 0,
    hasPixelData: true,
    imagePositionPatient: null,
    imageOrientationPatient: [1, 0, 0, 0, 1, 0],
    pixelSpacing: [0.5, 0.5],
    sliceThickness: null,
    rescaleSlope: 1,
    rescaleIntercept: 0,
    windowCenter: null,
    windowWidth: null,
    warnings: [],
    ...overrides,
  }
}

const AXIAL: Orientation = [1, 0, 0, 0, 1, 0]
// Sagittal, tipped 20° about one axis and 10° about another: a realistic double oblique.
const OBLIQUE: Orientation = (() => {
  const a = (20 * Math.PI) / 180
  const b = (10 * Math.PI) / 180
  const row: Vec3 = [Math.sin(a), Math.cos(a), 0]
  const column: Vec3 = [Math.cos(a) * Math.sin(b), -Math.sin(a) * Math.sin(b), -Math.cos(b)]
  return [...row, ...column] as Orientation
})()

function normalOf(orientation: Orientation): Vec3 {
  const [r0, r1, r2, c0, c1, c2] = orientation
  return [r1 * c2 - r2 * c1, r2 * c0 - r0 * c2, r0 * c1 - r1 * c0]
}

/** Slices at the given distances along the orientation's normal, from an arbitrary origin. */
function stack(distances: number[], orientation: Orientation = AXIAL, extra: Partial<DicomInstance> = {}): DicomInstance[] {
  const normal = normalOf(orientation)
  const origin: Vec3 = [-120.5, 33.25, 71]
  return distances.map((distance, index) =>
    instance({
      instanceNumber: index + 1,
      imageOrientationPatient: orientation,
      imagePositionPatient: [origin[0] + distance * normal[0], origin[1] + distance * normal[1], origin[2] + distance * normal[2]],
      ...extra,
    }),
  )
}

/** A deterministic shuffle, so tests do not rely on input order. */
function shuffled<T>(items: readonly T[]): T[] {
  return items
    .map((item, index) => ({ item, key: (index * 7919) % 104729 }))
    .sort((a, b) => a.key - b.key)
    .map(({ item }) => item)
}

const kinds = (instances: DicomInstance[]) => orderSeries(instances).geometry.warnings.map((warning) => warning.kind)
const range = (count: number, step = 1.25) => Array.from({ length: count }, (_, i) => i * step)

describe('orderSeries', () => {
  it('orders shuffled axial slices by position and measures the spacing', () => {
    const slices = stack(range(40))
    const { instances, geometry } = orderSeries(shuffled(slices))
    assert.deepEqual(
      instances.map((slice) => slice.instanceNumber),
      slices.map((slice) => slice.instanceNumber),
    )
    assert.deepEqual(geometry.normal, [0, 0, 1])
    assert.ok(Math.abs((geometry.sliceSpacing ?? 0) - 1.25) < 1e-9)
    assert.deepEqual(geometry.warnings, [])
    assert.equal(geometry.isVolume, true)
  })

  it('orders a double-oblique stack along its own normal, ignoring instance numbers', () => {
    // Numbered against the spatial order, as some scanners do.
    const slices = stack(range(30, 0.9), OBLIQUE).map((slice, index) => ({ ...slice, instanceNumber: 100 - index }))
    const { instances, geometry } = orderSeries(shuffled(slices))
    assert.deepEqual(
      instances.map((slice) => slice.instanceNumber),
      slices.map((slice) => slice.instanceNumber),
    )
    const normal = normalOf(OBLIQUE)
    assert.ok(geometry.normal && geometry.normal.every((value, axis) => Math.abs(value - normal[axis]!) < 1e-9))
    assert.ok(Math.abs((geometry.sliceSpacing ?? 0) - 0.9) < 1e-9)
    assert.equal(geometry.isVolume, true)
  })

  it('reports missing slices as a gap', () => {
    const { geometry } = orderSeries(stack([0, 1, 2, 3, 5, 6, 7, 10, 11]))
    assert.deepEqual(
      geometry.warnings.map((warning) => warning.kind),
      ['gap'],
    )
    assert.match(geometry.warnings[0]!.message, /^About 3 slice\(s\) missing/)
    assert.equal(geometry.sliceSpacing, 1)
    assert.equal(geometry.isVolume, false)
  })

  it('reports uneven spacing that is not a whole number of slices', () => {
    assert.deepEqual(kinds(stack([0, 1, 2, 3.5, 4.5, 5.5, 6.5])), ['irregular-spacing'])
    // Within 5% of the median is still regular (rounded positions in real headers).
    assert.deepEqual(kinds(stack([0, 1, 2.03, 3, 4, 4.98, 6])), [])
  })

  it('reports duplicate positions (repeated acquisitions), keeping the spacing of the rest', () => {
    const { geometry } = orderSeries(stack([0, 1, 1, 2, 3, 3, 4]))
    assert.deepEqual(
      geometry.warnings.map((warning) => warning.kind),
      ['duplicate-position'],
    )
    assert.match(geometry.warnings[0]!.message, /^2 image\(s\) share/)
    assert.equal(geometry.sliceSpacing, 1)
    assert.equal(geometry.isVolume, false)
  })

  it('falls back to instance numbers for mixed orientations (a three-plane localizer)', () => {
    const sagittal: Orientation = [0, 1, 0, 0, 0, -1]
    const localizer = [...stack([0], AXIAL), ...stack([0], sagittal), ...stack([0], [1, 0, 0, 0, 0, -1])].map((slice, index) => ({
      ...slice,
      instanceNumber: 3 - index,
    }))
    const { instances, geometry } = orderSeries(localizer)
    assert.deepEqual(
      instances.map((slice) => slice.instanceNumber),
      [1, 2, 3],
    )
    assert.deepEqual(
      geometry.warnings.map((warning) => warning.kind),
      ['mixed-orientation'],
    )
    assert.equal(geometry.normal, null)
    assert.equal(geometry.isVolume, false)
  })

  it('reports mixed image sizes', () => {
    const slices = stack(range(5))
    slices[2] = { ...slices[2]!, rows: 512 }
    assert.deepEqual(kinds(slices), ['mixed-size'])
  })

  it('reports a gantry-tilted stack as sheared', () => {
    // Each slice steps 2.5 mm in z and 0.5 mm in y: a tilt of about 11°.
    const tilted = range(20, 2.5).map((z, index) => instance({ instanceNumber: index + 1, imagePositionPatient: [0, index * 0.5, z], imageOrientationPatient: AXIAL }))
    assert.deepEqual(kinds(tilted), ['sheared'])
  })

  it('falls back to instance numbers when geometry is missing or unusable', () => {
    const slices = stack(range(6))
    slices[3] = { ...slices[3]!, imagePositionPatient: null }
    const { instances, geometry } = orderSeries(shuffled(slices))
    assert.deepEqual(
      instances.map((slice) => slice.instanceNumber),
      [1, 2, 3, 4, 5, 6],
    )
    assert.deepEqual(
      geometry.warnings.map((warning) => warning.kind),
      ['no-geometry'],
    )
    assert.equal(geometry.warnings[0]!.message, '1 of 6 images lack a usable position or orientation')
    // Direction cosines that are not unit length are as good as missing.
    assert.deepEqual(kinds(stack(range(4), [0, 0, 0, 0, 1, 0])), ['no-geometry'])
  })

  it('does not judge multi-frame images as a volume', () => {
    const { geometry } = orderSeries([instance({ numberOfFrames: 13, imagePositionPatient: [0, 0, 0] })])
    assert.deepEqual(
      geometry.warnings.map((warning) => warning.kind),
      ['multi-frame'],
    )
    assert.deepEqual(geometry.normal, [0, 0, 1])
    assert.equal(geometry.isVolume, false)
  })

  it('offers no volume for one or two slices, and puts non-image objects last', () => {
    assert.equal(orderSeries(stack([0])).geometry.isVolume, false)
    assert.equal(orderSeries(stack([0, 1])).geometry.isVolume, false)
    assert.deepEqual(kinds(stack([0, 1])), [])
    const report = instance({ instanceNumber: 0, hasPixelData: false, numberOfFrames: 0, imageOrientationPatient: null, source: 'sr' })
    const { instances, geometry } = orderSeries([report, ...stack(range(3))])
    assert.equal(instances.at(-1), report)
    assert.equal(geometry.isVolume, true)
    assert.deepEqual(orderSeries([report]).geometry, { normal: null, sliceSpacing: null, isVolume: false, warnings: [] })
  })
})

function readSeries(...segments: string[]): DicomInstance[] {
  const folder = sharedDataPath(...segments)
  return readdirSync(folder).map((name, index) => {
    const result = parseInstance(new Uint8Array(readFileSync(`${folder}/${name}`)), name, index)
    assert.ok(result.ok, result.ok ? '' : `${name}: ${result.rejection.reason}`)
    return result.instance
  })
}

function distancesAlong(instances: DicomInstance[], normal: Vec3): number[] {
  return instances.map(({ imagePositionPatient: p }) => p![0] * normal[0] + p![1] * normal[1] + p![2] * normal[2])
}

const strictlyIncreasing = (values: number[]) => values.every((value, i) => i === 0 || value > values[i - 1]!)

describe('orderSeries on real series', () => {
  const skipCt = missingSharedData('ct-chest-lidc0314')
  it('CT chest: 275 axial slices from shuffled file names, 1 mm, a clean volume', { skip: skipCt ?? false }, () => {
    const { instances, geometry } = orderSeries(readSeries('ct-chest-lidc0314'))
    assert.equal(instances.length, 275)
    const z = instances.map((slice) => slice.imagePositionPatient![2])
    assert.ok(strictlyIncreasing(z))
    assert.ok(Math.abs(z[0]! - -679.8) < 1e-3 && Math.abs(z.at(-1)! - -405.8) < 1e-3)
    assert.deepEqual(geometry.normal, [0, 0, 1])
    assert.ok(Math.abs(geometry.sliceSpacing! - 1) < 1e-6)
    assert.deepEqual(geometry.warnings, [])
    assert.equal(geometry.isVolume, true)
    // The file names are not the slice order.
    assert.notDeepEqual(
      instances.map((slice) => slice.source),
      [...instances.map((slice) => slice.source)].sort(),
    )
  })

  // The data folder keeps this series at mr-brain-t1/ (its README says mr-brain/t1-mprage/).
  const skipMr = missingSharedData('mr-brain-t1')
  it('MR T1: 175 sagittal-oblique slices ordered along the oblique normal; the one missing slice is a gap', { skip: skipMr ?? false }, () => {
    const { instances, geometry } = orderSeries(readSeries('mr-brain-t1'))
    assert.equal(instances.length, 175)
    const normal = geometry.normal!
    assert.ok(Math.abs(normal[0]) > 0.99 && Math.abs(normal[1]) > 0.05, 'mostly left-right, tipped: oblique')
    assert.ok(strictlyIncreasing(distancesAlong(instances, normal)))
    assert.ok(Math.abs(geometry.sliceSpacing! - 1) < 1e-6)
    // Instances run 1..176 with 115 absent: the series really has a 2 mm hole, and
    // offering it as an evenly spaced volume would misplace every slice after it.
    const numbers = instances.map((slice) => slice.instanceNumber!)
    assert.deepEqual([Math.min(...numbers), Math.max(...numbers), numbers.includes(115)], [1, 176, false])
    assert.deepEqual(
      geometry.warnings.map((warning) => warning.kind),
      ['gap'],
    )
    assert.match(geometry.warnings[0]!.message, /^About 1 slice\(s\) missing/)
    assert.equal(geometry.isVolume, false)

    // The 61 contiguous slices after the hole are a volume, oblique or not.
    const contiguous = orderSeries(shuffled(instances.filter((slice) => slice.instanceNumber! > 115)))
    assert.equal(contiguous.instances.length, 61)
    assert.deepEqual(contiguous.geometry.warnings, [])
    assert.equal(contiguous.geometry.isVolume, true)
  })

  const skipPet = missingSharedData('pet-headneck', 'PET')
  it('PET: 299 slices, 3.375 mm, a volume', { skip: skipPet ?? false }, () => {
    const { instances, geometry } = orderSeries(readSeries('pet-headneck', 'PET'))
    assert.equal(instances.length, 299)
    assert.ok(strictlyIncreasing(instances.map((slice) => slice.imagePositionPatient![2])))
    assert.ok(Math.abs(geometry.sliceSpacing! - 3.375) < 1e-6)
    assert.equal(geometry.isVolume, true)
  })
})
