import { LabelmapError, type LabelmapDocument, type Segment } from './labelmap-document'

// The geometry the edit operations share: the labelmap's voxel grid with its spacing, points
// in continuous voxel coordinates (voxel centres at whole numbers), and a viewport's plane
// as two in-plane unit axes in the grid's millimetre frame (axis-aligned with the voxel
// axes, scaled by the spacing), so the same brush works in the stack and in every MPR plane.

export type Vec3 = [number, number, number]

export interface VoxelSpace {
  columns: number
  rows: number
  slices: number
  /** Millimetres between voxel centres along column, row and slice. */
  spacing: Vec3
}

/** A point in voxel coordinates: column, row, slice (fractions allowed). */
export type Ijk = [number, number, number]

/** A plane through the grid: two unit in-plane axes in the grid's millimetre frame, e.g. axial = { u: [1, 0, 0], v: [0, 1, 0] }. */
export interface VoxelPlane {
  u: Vec3
  v: Vec3
}

/** Modality values per voxel (same layout as the labels), as an array or a lookup. */
export type ValueSource = ArrayLike<number> | ((index: number) => number)

/** Only voxels whose modality value lies in [low, high] (e.g. HU) are edited. */
export interface Threshold {
  low: number
  high: number
  values: ValueSource
}

/** An orthonormal frame of a plane, and the half-thickness (mm) of the voxel slab it cuts: a voxel is on the plane when the plane crosses its cell. */
export interface PlaneFrame {
  u: Vec3
  v: Vec3
  n: Vec3
  halfThickness: number
}

export function checkSpace(doc: LabelmapDocument, space: VoxelSpace): void {
  const { columns, rows, slices } = doc.grid
  if (space.columns !== columns || space.rows !== rows || space.slices !== slices)
    throw new LabelmapError(`The image grid (${space.columns} × ${space.rows} × ${space.slices}) is not the labelmap's (${columns} × ${rows} × ${slices}).`)
  if (!space.spacing.every((s) => Number.isFinite(s) && s > 0)) throw new LabelmapError('The voxel spacing must be positive millimetres along each axis.')
}

export function checkSegment(doc: LabelmapDocument, number: number): Segment {
  const segment = doc.segment(number)
  if (!segment) throw new LabelmapError(`Segment ${number} is not in this labelmap.`)
  return segment
}

/** Throws unless `point` lies within the volume (voxel cells included). */
export function checkInside(space: VoxelSpace, point: Ijk, what: string): void {
  if (!point.every(Number.isFinite)) throw new LabelmapError(`The ${what} is not a point.`)
  const [i, j, k] = point
  if (i < -0.5 || j < -0.5 || k < -0.5 || i > space.columns - 0.5 || j > space.rows - 0.5 || k > space.slices - 0.5) throw new LabelmapError(`The ${what} is outside the image.`)
}

/** The index of the voxel whose cell holds `point` (a point inside the volume). */
export function nearestVoxel(space: VoxelSpace, point: Ijk): number {
  const [i, j, k] = [space.columns, space.rows, space.slices].map((n, axis) => Math.min(n - 1, Math.max(0, Math.round(point[axis]!))))
  return (k! * space.rows + j!) * space.columns + i!
}

export function checkRadius(radiusMm: number): void {
  if (!Number.isFinite(radiusMm) || radiusMm <= 0) throw new LabelmapError('The size must be more than 0 mm.')
}

export function checkRange(low: number, high: number): void {
  if (!Number.isFinite(low) || !Number.isFinite(high)) throw new LabelmapError('The intensity range needs a lower and an upper value.')
  if (low > high) throw new LabelmapError(`The intensity range is empty (${low} is above ${high}).`)
}

/** A reader of modality values by voxel index; an array must cover the volume. */
export function valueReader(source: ValueSource, voxels: number): (index: number) => number {
  if (typeof source === 'function') return source
  if (source.length !== voxels) throw new LabelmapError(`The image holds ${source.length} values; the labelmap has ${voxels} voxels.`)
  return (index) => source[index]!
}

export function toMm(space: VoxelSpace, point: Ijk): Vec3 {
  return [point[0] * space.spacing[0], point[1] * space.spacing[1], point[2] * space.spacing[2]]
}

export function planeFrame(plane: VoxelPlane, spacing: Vec3): PlaneFrame {
  const u = normalise(plane.u)
  const v = u && normalise(subtract(plane.v, scale(u, dot(plane.v, u))))
  if (!u || !v) throw new LabelmapError('The plane needs two different, non-zero in-plane directions.')
  const n = cross(u, v)
  return { u, v, n, halfThickness: 0.5 * (Math.abs(n[0]) * spacing[0] + Math.abs(n[1]) * spacing[1] + Math.abs(n[2]) * spacing[2]) }
}

/** Whether a signed distance from the plane (mm) falls in the slab (-h, h]: one voxel thick, so a plane between two slices takes one of them. */
export function inSlab(distance: number, halfThickness: number): boolean {
  const tolerance = 1e-9 * halfThickness
  return distance > -halfThickness + tolerance && distance <= halfThickness + tolerance
}

/** Calls `visit(index, i, j, k)` for each voxel whose centre lies in the box [low, high] (mm), clipped to the volume. */
export function forEachInBox(space: VoxelSpace, low: Vec3, high: Vec3, visit: (index: number, i: number, j: number, k: number) => void): void {
  const [s0, s1, s2] = space.spacing
  const range = (lo: number, hi: number, s: number, n: number) => [Math.max(0, Math.ceil(lo / s - 1e-9)), Math.min(n - 1, Math.floor(hi / s + 1e-9))] as const
  const [i0, i1] = range(low[0], high[0], s0, space.columns)
  const [j0, j1] = range(low[1], high[1], s1, space.rows)
  const [k0, k1] = range(low[2], high[2], s2, space.slices)
  const sliceSize = space.columns * space.rows
  for (let k = k0; k <= k1; k++)
    for (let j = j0; j <= j1; j++) {
      const row = k * sliceSize + j * space.columns
      for (let i = i0; i <= i1; i++) visit(row + i, i, j, k)
    }
}

export function dot(a: Vec3, b: Vec3): number {
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}

export function subtract(a: Vec3, b: Vec3): Vec3 {
  return [a[0] - b[0], a[1] - b[1], a[2] - b[2]]
}

function scale(a: Vec3, f: number): Vec3 {
  return [a[0] * f, a[1] * f, a[2] * f]
}

function cross(a: Vec3, b: Vec3): Vec3 {
  return [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]]
}

function normalise(a: Vec3): Vec3 | null {
  const length = Math.hypot(...a)
  return Number.isFinite(length) && length > 1e-9 ? scale(a, 1 / length) : null
}
