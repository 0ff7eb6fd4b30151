// Moving voxels between grids: into a model's conformed grid (fixed shape, spacing and
// orientation, centred on the series, as FreeSurfer's conform) and labels back into the
// series' own grid. Both grids are orthonormal, so a target voxel's source index is an
// affine function of its own index: the loops step it incrementally instead of doing a
// matrix product per voxel.
import { directionToIndex, HALF_PIXEL, indexToPatient, patientToIndex, scale, type Vec3 } from '../dicom/geometry'
import type { ModelPreprocessing } from './manifest'
import { axesForOrientation, gridCentre, voxelCount, type ScalarVolume, type VolumeGeometry } from './volume'

/** The model's input grid for a series: `shape` voxels of `spacing` mm along `orientation`, centred on it. */
export function conformGrid(source: VolumeGeometry, preprocessing: ModelPreprocessing): VolumeGeometry {
  const { shape, spacing, orientation } = preprocessing
  if (!shape || !spacing || !orientation) throw new Error('a conform grid needs shape, spacing and orientation')
  const axes = axesForOrientation(orientation)
  // The grid's centre voxel sits on the series' centre: voxel 0 is (shape − 1) / 2 steps back.
  const origin = indexToPatient(
    { origin: gridCentre(source), axes, spacing },
    shape.map((size) => -(size - 1) / 2),
  )
  return { dimensions: [...shape], spacing: [...spacing], origin, axes }
}

interface IndexMapping {
  /** Source index (continuous) of target voxel (0, 0, 0). */
  start: Vec3
  /** Change of the source index per step along target i, j, k. */
  step: [Vec3, Vec3, Vec3]
}

function indexMapping(target: VolumeGeometry, source: VolumeGeometry): IndexMapping {
  const step = target.axes.map((axis, t) => directionToIndex(source, scale(axis, target.spacing[t]!))) as [Vec3, Vec3, Vec3]
  return { start: patientToIndex(source, target.origin) as Vec3, step }
}

/** Samples `source` on the `target` grid; voxels outside the source get `padValue`. */
export function resampleVolume(source: ScalarVolume, target: VolumeGeometry, interpolation: 'linear' | 'nearest', padValue: number): Float32Array {
  if (interpolation === 'nearest') return sampleNearest(source.data, source, target, new Float32Array(voxelCount(target)), padValue)
  const out = new Float32Array(voxelCount(target))
  const [tx, ty, tz] = target.dimensions
  const [sx, sy, sz] = source.dimensions
  const sxy = sx * sy
  const data = source.data
  const { start, step } = indexMapping(target, source)
  let index = 0
  for (let z = 0; z < tz; z++) {
    for (let y = 0; y < ty; y++) {
      let fi = start[0] + y * step[1][0] + z * step[2][0]
      let fj = start[1] + y * step[1][1] + z * step[2][1]
      let fk = start[2] + y * step[1][2] + z * step[2][2]
      for (let x = 0; x < tx; x++, index++, fi += step[0][0], fj += step[0][1], fk += step[0][2]) {
        // Trilinear inside the grid; half a voxel beyond the edge clamps to the edge voxel.
        if (fi < -HALF_PIXEL || fj < -HALF_PIXEL || fk < -HALF_PIXEL || fi > sx - HALF_PIXEL || fj > sy - HALF_PIXEL || fk > sz - HALF_PIXEL) {
          out[index] = padValue
          continue
        }
        const ci = Math.min(Math.max(fi, 0), sx - 1)
        const cj = Math.min(Math.max(fj, 0), sy - 1)
        const ck = Math.min(Math.max(fk, 0), sz - 1)
        const i0 = Math.min(Math.floor(ci), sx - 2 < 0 ? 0 : sx - 2)
        const j0 = Math.min(Math.floor(cj), sy - 2 < 0 ? 0 : sy - 2)
        const k0 = Math.min(Math.floor(ck), sz - 2 < 0 ? 0 : sz - 2)
        const wi = sx > 1 ? ci - i0 : 0
        const wj = sy > 1 ? cj - j0 : 0
        const wk = sz > 1 ? ck - k0 : 0
        const di = sx > 1 ? 1 : 0
        const dj = sy > 1 ? sx : 0
        const dk = sz > 1 ? sxy : 0
        const base = i0 + sx * j0 + sxy * k0
        const c00 = data[base]! * (1 - wi) + data[base + di]! * wi
        const c10 = data[base + dj]! * (1 - wi) + data[base + dj + di]! * wi
        const c01 = data[base + dk]! * (1 - wi) + data[base + dk + di]! * wi
        const c11 = data[base + dk + dj]! * (1 - wi) + data[base + dk + dj + di]! * wi
        out[index] = (c00 * (1 - wj) + c10 * wj) * (1 - wk) + (c01 * (1 - wj) + c11 * wj) * wk
      }
    }
  }
  return out
}

/** Nearest-neighbour transfer of a label volume from `from` onto the `to` grid (0 outside). */
export function resampleLabels(labels: Uint8Array, from: VolumeGeometry, to: VolumeGeometry): Uint8Array {
  return sampleNearest(labels, from, to, new Uint8Array(voxelCount(to)), 0)
}

function sampleNearest<T extends Float32Array | Uint8Array>(data: T, from: VolumeGeometry, to: VolumeGeometry, out: T, padValue: number): T {
  const [tx, ty, tz] = to.dimensions
  const [sx, sy, sz] = from.dimensions
  const sxy = sx * sy
  const { start, step } = indexMapping(to, from)
  let index = 0
  for (let z = 0; z < tz; z++) {
    for (let y = 0; y < ty; y++) {
      let fi = start[0] + y * step[1][0] + z * step[2][0]
      let fj = start[1] + y * step[1][1] + z * step[2][1]
      let fk = start[2] + y * step[1][2] + z * step[2][2]
      for (let x = 0; x < tx; x++, index++, fi += step[0][0], fj += step[0][1], fk += step[0][2]) {
        const i = Math.round(fi)
        const j = Math.round(fj)
        const k = Math.round(fk)
        out[index] = i < 0 || j < 0 || k < 0 || i >= sx || j >= sy || k >= sz ? padValue : data[i + sx * j + sxy * k]!
      }
    }
  }
  return out
}
