import { type LabelmapDocument, LabelmapError } from './labelmap-document'
import { forEachInCapsule, forEachInRectangle } from './shapes'
import { checkInside, checkRadius, checkSegment, checkSpace, type Ijk, planeFrame, toMm, type VoxelPlane, type VoxelSpace } from './voxel-space'

// Scissors: fill or erase a whole region at once. A rectangle or a circle lies on the
// viewport's plane (the slice shown) or, with extent 'volume', is swept along the plane's
// normal through the whole volume (Slicer's unlimited scissors); a sphere is 3D.

export type ScissorsShape =
  | { shape: 'rectangle'; plane: VoxelPlane; /** Opposite corners, on the plane (may lie outside the image: the region is clipped). */ corners: [Ijk, Ijk] }
  | { shape: 'circle'; plane: VoxelPlane; centre: Ijk; radiusMm: number }
  | { shape: 'sphere'; centre: Ijk; radiusMm: number }

export type ScissorsOptions = ScissorsShape & {
  segment: number
  mode: 'fill' | 'erase'
  /** Rectangle and circle: the slice shown (default) or through the volume. */
  extent?: 'slice' | 'volume'
}

export function scissors(doc: LabelmapDocument, space: VoxelSpace, options: ScissorsOptions): number[] {
  checkSpace(doc, space)
  checkSegment(doc, options.segment)
  const throughVolume = options.extent === 'volume'
  let region: (visit: (index: number) => void) => void
  if (options.shape === 'rectangle') {
    if (!options.corners.every((corner) => corner.every(Number.isFinite))) throw new LabelmapError('The rectangle needs two corners.')
    const frame = planeFrame(options.plane, space.spacing)
    const [a, b] = options.corners.map((corner) => toMm(space, corner)) as [Ijk, Ijk]
    region = (visit) => forEachInRectangle(space, a, b, frame, throughVolume, visit)
  } else {
    checkInside(space, options.centre, `${options.shape}'s centre`)
    checkRadius(options.radiusMm)
    const centre = toMm(space, options.centre)
    const frame = options.shape === 'circle' ? planeFrame(options.plane, space.spacing) : null
    const radius = options.radiusMm
    if (frame && throughVolume) {
      // The cylinder: the disc swept from one face of the volume to the other along the normal.
      const reach = Math.hypot(space.columns * space.spacing[0], space.rows * space.spacing[1], space.slices * space.spacing[2])
      const a = [0, 1, 2].map((axis) => centre[axis]! - reach * frame.n[axis]!) as Ijk
      const b = [0, 1, 2].map((axis) => centre[axis]! + reach * frame.n[axis]!) as Ijk
      region = (visit) => forEachInCapsule(space, a, b, radius, null, visit)
    } else region = (visit) => forEachInCapsule(space, centre, centre, radius, frame, visit)
  }
  const { segment, mode } = options
  return doc.transact('Scissors', (edit) => region(mode === 'erase' ? (index) => edit.erase(index, segment) : (index) => edit.paint(index, segment)))
}
