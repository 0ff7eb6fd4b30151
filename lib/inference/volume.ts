// The one volume representation the inference pipeline works on, in the browser and in the
// CLI alike: a regular voxel grid in DICOM patient coordinates (LPS, mm). Voxel (i, j, k)
// is stored at i + nx·(j + ny·k) and lies at origin + i·sx·axisI + j·sy·axisJ + k·sz·axisK
// (a PatientGrid of geometry.ts).
import { indexToPatient, type Vec3 } from '../dicom/geometry'

export type Triple = [number, number, number]

export interface VolumeGeometry {
  dimensions: Triple
  /** mm between voxel centres along i, j, k. */
  spacing: Triple
  /** Patient position (LPS, mm) of voxel (0, 0, 0). */
  origin: Vec3
  /** Unit vectors (LPS) of the i, j and k axes; orthonormal. */
  axes: [Vec3, Vec3, Vec3]
}

export interface ScalarVolume extends VolumeGeometry {
  data: Float32Array
}

export function voxelCount(geometry: Pick<VolumeGeometry, 'dimensions'>): number {
  const [nx, ny, nz] = geometry.dimensions
  return nx * ny * nz
}

/** Patient position of the centre of the grid. */
export function gridCentre(geometry: VolumeGeometry): Vec3 {
  return indexToPatient(
    geometry,
    geometry.dimensions.map((size) => (size - 1) / 2),
  )
}

const directionByLetter: Record<string, Vec3> = {
  L: [1, 0, 0],
  R: [-1, 0, 0],
  P: [0, 1, 0],
  A: [0, -1, 0],
  S: [0, 0, 1],
  I: [0, 0, -1],
}

/** Axes for an orientation code such as "LIA" (axis i points Left, j Inferior, k Anterior). */
export function axesForOrientation(code: string): [Vec3, Vec3, Vec3] {
  const axes = [...code].map((letter) => directionByLetter[letter])
  if (axes.length !== 3 || axes.some((axis) => !axis)) throw new Error(`Unknown orientation code "${code}"`)
  return axes as [Vec3, Vec3, Vec3]
}

/** The three-letter code of the anatomical direction each axis points to most. */
export function orientationCode(axes: [Vec3, Vec3, Vec3]): string {
  return axes
    .map((axis) => {
      const main = [0, 1, 2].reduce((best, c) => (Math.abs(axis[c]!) > Math.abs(axis[best]!) ? c : best), 0)
      const positive = axis[main]! > 0
      return ['LR', 'PA', 'SI'][main]![positive ? 0 : 1]
    })
    .join('')
}
