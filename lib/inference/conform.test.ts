import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { conformGrid, resampleLabels, resampleVolume } from './conform'
import { labelsForImages, stackToVolume } from './slice-stack'
import type { Vec3 } from '../dicom/geometry'
import { axesForOrientation, gridCentre, orientationCode, voxelCount, type ScalarVolume, type VolumeGeometry } from './volume'
import type { ModelPreprocessing } from './manifest'

const conform: ModelPreprocessing = { grid: 'conform', orientation: 'LIA', spacing: [1, 1, 1], shape: [24, 20, 16], interpolation: 'linear', normalisation: { method: 'min-max' } }

function rotation(angle: number): [Vec3, Vec3, Vec3] {
  // An oblique grid: rotated about the patient's S axis and tilted, like a sagittal-oblique MR.
  const c = Math.cos(angle)
  const s = Math.sin(angle)
  const i: Vec3 = [c, s, 0]
  const j: Vec3 = [-s * Math.cos(0.3), c * Math.cos(0.3), Math.sin(0.3)]
  const k: Vec3 = [i[1] * j[2] - i[2] * j[1], i[2] * j[0] - i[0] * j[2], i[0] * j[1] - i[1] * j[0]]
  return [i, j, k]
}

function volumeFrom(geometry: VolumeGeometry, value: (p: Vec3) => number): ScalarVolume {
  const data = new Float32Array(voxelCount(geometry))
  const [nx, ny, nz] = geometry.dimensions
  for (let k = 0; k < nz; k++) for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++) data[i + nx * (j + ny * k)] = value(positionOf(geometry, [i, j, k]))
  return { ...geometry, data }
}

function positionOf(geometry: VolumeGeometry, index: Vec3): Vec3 {
  const p: Vec3 = [...geometry.origin]
  for (let a = 0; a < 3; a++) for (let c = 0; c < 3; c++) p[c]! += geometry.axes[a]![c]! * geometry.spacing[a]! * index[a]!
  return p
}

const ramp = (p: Vec3) => 3 * p[0] - 2 * p[1] + 0.5 * p[2] + 7

describe('conformGrid', () => {
  it('centres the model grid on the series, along the requested axes', () => {
    const source: VolumeGeometry = { dimensions: [30, 26, 18], spacing: [0.9, 0.9, 1.2], origin: [-12, 30, 5], axes: rotation(0.4) }
    const grid = conformGrid(source, conform)
    assert.deepEqual(grid.dimensions, [24, 20, 16])
    assert.equal(orientationCode(grid.axes), 'LIA')
    const [a, b] = [gridCentre(grid), gridCentre(source)]
    for (let c = 0; c < 3; c++) assert.ok(Math.abs(a[c]! - b[c]!) < 1e-9)
  })
})

describe('resampleVolume', () => {
  it('copies a volume onto its own grid exactly', () => {
    const geometry: VolumeGeometry = { dimensions: [7, 5, 4], spacing: [1, 2, 3], origin: [1, 2, 3], axes: rotation(1) }
    const source = volumeFrom(geometry, (p) => Math.sin(p[0]) + p[1] * p[2])
    for (const mode of ['linear', 'nearest'] as const) {
      const copy = resampleVolume(source, geometry, mode, -1)
      for (let v = 0; v < copy.length; v++) assert.ok(Math.abs(copy[v]! - source.data[v]!) < 1e-4, `${mode} voxel ${v}`)
    }
  })

  it('reproduces a linear function of position on an oblique grid (trilinear is exact for it)', () => {
    const source = volumeFrom({ dimensions: [40, 36, 30], spacing: [0.9, 0.9, 1.1], origin: [-17, -14, -15], axes: rotation(0.35) }, ramp)
    const target = conformGrid(source, { ...conform, shape: [16, 16, 12] })
    const out = resampleVolume(source, target, 'linear', Number.NaN)
    let checked = 0
    for (let k = 0; k < 12; k++)
      for (let j = 0; j < 16; j++)
        for (let i = 0; i < 16; i++) {
          const value = out[i + 16 * (j + 16 * k)]!
          if (Number.isNaN(value)) continue
          checked++
          assert.ok(Math.abs(value - ramp(positionOf(target, [i, j, k]))) < 1e-3, `voxel ${i},${j},${k}`)
        }
    assert.equal(checked, 16 * 16 * 12, 'the small centred grid lies inside the source')
  })

  it('pads outside the source', () => {
    const source = volumeFrom({ dimensions: [4, 4, 4], spacing: [1, 1, 1], origin: [0, 0, 0], axes: axesForOrientation('LPS') }, () => 5)
    const out = resampleVolume(source, conformGrid(source, { ...conform, shape: [12, 12, 12] }), 'linear', -3)
    assert.equal(out[0], -3)
    assert.equal(out[6 + 12 * (6 + 12 * 6)], 5)
  })
})

describe('resampleLabels', () => {
  it('round-trips labels through a conformed grid of the same spacing', () => {
    const geometry: VolumeGeometry = { dimensions: [20, 20, 20], spacing: [1, 1, 1], origin: [-10, -10, -10], axes: axesForOrientation('RAS') }
    const labels = new Uint8Array(voxelCount(geometry))
    for (let k = 4; k < 12; k++) for (let j = 5; j < 15; j++) for (let i = 2; i < 9; i++) labels[i + 20 * (j + 20 * k)] = 2
    const grid = conformGrid(geometry, { ...conform, shape: [32, 32, 32] })
    const back = resampleLabels(resampleLabels(labels, geometry, grid), grid, geometry)
    assert.deepEqual(back, labels)
  })
})

describe('stackToVolume', () => {
  const geometry = { columns: 3, rows: 2, columnSpacing: 0.5, rowSpacing: 0.7, rowDirection: [1, 0, 0] as Vec3, columnDirection: [0, 0, -1] as Vec3 }
  // Normal = row × column = (0, 1, 0); images at 0, 2, 4, 8, 10 mm: one slice (6 mm) missing.
  const at = (y: number) => ({ position: [5, y, 9] as Vec3, pixels: new Float32Array(6).fill(y) })
  const images = [at(8), at(0), at(4), at(10), at(2)]

  it('orders images by position, keeps the true spacing and interpolates a missing slice', () => {
    const stack = stackToVolume(geometry, images)
    assert.deepEqual(stack.volume.dimensions, [3, 2, 6])
    assert.deepEqual(stack.volume.spacing, [0.5, 0.7, 2])
    assert.deepEqual(stack.volume.origin, [5, 0, 9])
    assert.deepEqual(stack.sliceOfImage, [4, 0, 2, 5, 1])
    assert.deepEqual(stack.interpolatedSlices, [3])
    assert.deepEqual([...stack.volume.data.subarray(18, 24)], [6, 6, 6, 6, 6, 6])
  })

  it('hands each image its own slice of a label volume', () => {
    const stack = stackToVolume(geometry, images)
    const labels = new Uint8Array(36).map((_, v) => Math.floor(v / 6))
    assert.deepEqual(
      [...labelsForImages(labels, stack)],
      [4, 0, 2, 5, 1].flatMap((k) => Array(6).fill(k)),
    )
  })

  it('refuses images of the wrong size', () => {
    assert.throws(() => stackToVolume(geometry, [{ position: [0, 0, 0], pixels: new Float32Array(5) }]), /5 pixels; 6 expected/)
  })
})
