import type { LabelmapDocument } from './labelmap-document'
import { LabelmapError } from './labelmap-document'
import { forEachInCapsule } from './shapes'
import {
  checkInside,
  checkRadius,
  checkRange,
  checkSegment,
  checkSpace,
  type Ijk,
  planeFrame,
  type Threshold,
  toMm,
  valueReader,
  type VoxelPlane,
  type VoxelSpace,
} from './voxel-space'

// The brush, the eraser and the threshold brush: a disc on the viewport's plane or a
// sphere, sized in millimetres on the grid's (possibly anisotropic) spacing. A stroke is
// one transaction (one undo step) and paints the swept shape between successive centres.

export interface BrushOptions {
  radiusMm: number
  /** The segment painted or erased (its number). */
  segment: number
  mode: 'paint' | 'erase'
  /** Only voxels whose modality value lies in the range are painted or erased. */
  threshold?: Threshold
}

export type BrushShape = { shape: 'circle'; plane: VoxelPlane } | { shape: 'sphere' }

export function paintCircle(doc: LabelmapDocument, space: VoxelSpace, options: BrushOptions & { centre: Ijk; plane: VoxelPlane }): number[] {
  return paintStroke(doc, space, { ...options, shape: 'circle', centres: [options.centre] })
}

export function paintSphere(doc: LabelmapDocument, space: VoxelSpace, options: BrushOptions & { centre: Ijk }): number[] {
  return paintStroke(doc, space, { ...options, shape: 'sphere', centres: [options.centre] })
}

/** Paints (or erases) along the centres of a drag, in one transaction. Returns the slices changed. */
export function paintStroke(doc: LabelmapDocument, space: VoxelSpace, options: BrushOptions & BrushShape & { centres: Ijk[] }): number[] {
  checkSpace(doc, space)
  checkSegment(doc, options.segment)
  checkRadius(options.radiusMm)
  if (options.centres.length === 0) throw new LabelmapError('A brush stroke needs at least one point.')
  for (const centre of options.centres) checkInside(space, centre, 'brush centre')
  const frame = options.shape === 'circle' ? planeFrame(options.plane, space.spacing) : null
  const { threshold, segment, mode } = options
  let accept = (_index: number) => true
  if (threshold) {
    checkRange(threshold.low, threshold.high)
    const value = valueReader(threshold.values, doc.voxels)
    accept = (index) => {
      const v = value(index)
      return v >= threshold.low && v <= threshold.high
    }
  }
  const points = options.centres.map((centre) => toMm(space, centre))
  const label = mode === 'erase' ? 'Eraser' : threshold ? 'Threshold brush' : 'Brush'
  return doc.transact(label, (edit) => {
    const write = mode === 'erase' ? (index: number) => edit.erase(index, segment) : (index: number) => edit.paint(index, segment)
    const visit = (index: number) => {
      if (accept(index)) write(index)
    }
    if (points.length === 1) forEachInCapsule(space, points[0]!, points[0]!, options.radiusMm, frame, visit)
    for (let p = 1; p < points.length; p++) forEachInCapsule(space, points[p - 1]!, points[p]!, options.radiusMm, frame, visit)
  })
}
