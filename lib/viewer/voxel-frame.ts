import { cross, directionToIndex, dot, indexToPatient, normalize, norm, patientToIndex, subtract, type PatientGrid, type Vec3 } from '../dicom/geometry'
import type { Ijk, VoxelPlane } from './segment-gestures'

// Where a point of a viewport lies in a labelmap's voxels. The editing tools read world
// (patient) points off the canvas, in a stack or in any MPR plane, and the edit operations
// want continuous voxel indices (column, row, slice) of the series the labelmap lies on and
// the viewport's plane as two in-plane unit directions in those voxel axes.

/** One image of the series, as Cornerstone's imagePlaneModule gives it (display order). */
export interface FramePlane {
  position: Vec3
  rowDirection: Vec3
  columnDirection: Vec3
  /** mm between adjacent columns (PixelSpacing[1]) and adjacent rows (PixelSpacing[0]). */
  columnSpacing: number
  rowSpacing: number
}

/** A series' voxels as a 3D grid: axes column, row, slice (orthonormal), spacing in mm. */
export interface VoxelFrame {
  grid: PatientGrid
  columns: number
  rows: number
  slices: number
}

/** Two slice positions closer than this are taken as one (a single-image series gets the normal, 1 mm). */
const minimumSliceStepMm = 1e-3

/**
 * The grid of a series from its images in display order. The slice axis runs from the first
 * image to the last (the display order may run either way along the normal); the step is
 * their distance divided evenly, as the labelmap has one slice per image.
 */
export function voxelFrameOf(planes: readonly FramePlane[], columns: number, rows: number): VoxelFrame {
  const first = planes[0]
  if (!first) throw new Error('A voxel frame needs at least one image.')
  const rowDirection = normalize(first.rowDirection)
  const columnDirection = normalize(first.columnDirection)
  const normal = normalize(cross(rowDirection, columnDirection))
  const span = subtract(planes.at(-1)!.position, first.position)
  const distance = dot(span, normal)
  const steps = planes.length - 1
  const sliceStep = steps > 0 && Math.abs(distance) > minimumSliceStepMm ? Math.abs(distance) / steps : 1
  const sliceDirection: Vec3 = distance < 0 ? [-normal[0], -normal[1], -normal[2]] : normal
  return {
    grid: { origin: first.position, axes: [rowDirection, columnDirection, sliceDirection], spacing: [first.columnSpacing, first.rowSpacing, sliceStep] },
    columns,
    rows,
    slices: planes.length,
  }
}

/** The continuous voxel index (column, row, slice) of a world point. */
export function worldToIjk(frame: VoxelFrame, world: Vec3): Ijk {
  const [i, j, k] = patientToIndex(frame.grid, world)
  return [i!, j!, k!]
}

export function ijkToWorld(frame: VoxelFrame, ijk: Ijk): Vec3 {
  return indexToPatient(frame.grid, ijk)
}

/** A world direction in the voxel axes, mm-normalised (the grid's axes are orthonormal, so a unit vector stays one). */
function directionInVoxelAxes(frame: VoxelFrame, direction: Vec3): Vec3 {
  const unit = normalize(direction)
  return [dot(unit, frame.grid.axes[0]!), dot(unit, frame.grid.axes[1]!), dot(unit, frame.grid.axes[2]!)]
}

/**
 * The viewport's plane in voxel axes from the world directions of the canvas's right and
 * down (each from canvasToWorld of two canvas points, so flips and rotations are included).
 */
export function voxelPlaneOf(frame: VoxelFrame, right: Vec3, down: Vec3): VoxelPlane {
  return { u: directionInVoxelAxes(frame, right), v: directionInVoxelAxes(frame, down) }
}

/** How many voxel steps a world vector (mm) makes along each axis. */
export function worldVectorToIjk(frame: VoxelFrame, vector: Vec3): Ijk {
  const [i, j, k] = directionToIndex(frame.grid, vector)
  return [i!, j!, k!]
}

/** Whether a continuous index lies on the grid (voxel edges at ±0.5). */
export function insideFrame(frame: VoxelFrame, [i, j, k]: Ijk): boolean {
  return i >= -0.5 && j >= -0.5 && k >= -0.5 && i < frame.columns - 0.5 && j < frame.rows - 0.5 && k < frame.slices - 0.5
}

/** Distance (mm) between two world points. */
export const distanceMm = (a: Vec3, b: Vec3): number => norm(subtract(a, b))
