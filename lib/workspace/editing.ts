import type { LabelmapDocument } from '../annotation/labelmap-document'
import { paintStroke } from '../annotation/brush'
import { interpolateSlices } from '../annotation/interpolate'
import { removeIslands } from '../annotation/islands'
import { regionGrow } from '../annotation/region-grow'
import { scissors } from '../annotation/scissors'
import { segmentStatistics, type SegmentStatistics } from '../annotation/statistics'
import type { VoxelSpace } from '../annotation/voxel-space'
import type { ScissorsShape, SegmentGesture, VoxelPlane } from '../viewer/segment-gestures'
import type { VoxelFrame } from '../viewer/voxel-frame'

// The one place the viewer's gestures meet the edit operations (lib/annotation): a gesture
// of the editing tools, the active segment and the panel's tool options become one call,
// hence one transaction (one undo step) on the labelmap document. Pure, so it can be tested
// without a browser.

export interface EditOptions {
  brushRadiusMm: number
  brushShape: 'circle' | 'sphere'
  /** Threshold brush: only voxels in [low, high] (modality units, e.g. HU) are painted. */
  threshold: { low: number; high: number }
  scissorsShape: ScissorsShape
  scissorsMode: 'fill' | 'erase'
  /** Region grow: connected voxels in [low, high] from the seed. */
  grow: { low: number; high: number }
}

export const defaultEditOptions: EditOptions = {
  brushRadiusMm: 3,
  brushShape: 'circle',
  threshold: { low: -100, high: 300 },
  scissorsShape: 'rectangle',
  scissorsMode: 'fill',
  grow: { low: -100, high: 300 },
}

/** Region grow stops past this many voxels (and writes nothing) rather than flood the volume. */
export const growLimitVoxels = 5_000_000

/** The modality values of a series, per slice (viewer.imagePixels), read by voxel index. */
export function valueLookup(slices: readonly Float32Array[], sliceSize: number): (index: number) => number {
  return (index) => slices[Math.floor(index / sliceSize)]![index % sliceSize]!
}

export function voxelSpaceOf(frame: VoxelFrame): VoxelSpace {
  const [column, row, slice] = frame.grid.spacing
  return { columns: frame.columns, rows: frame.rows, slices: frame.slices, spacing: [column!, row!, slice!] }
}

/** The voxel axis closest to a plane's normal (0 column, 1 row, 2 slice): "Fill between slices" interpolates along it. */
export function normalAxis(plane: VoxelPlane): 0 | 1 | 2 {
  const { u, v } = plane
  const n = [u[1] * v[2] - u[2] * v[1], u[2] * v[0] - u[0] * v[2], u[0] * v[1] - u[1] * v[0]].map(Math.abs)
  return n[0]! >= n[1]! && n[0]! >= n[2]! ? 0 : n[1]! >= n[2]! ? 1 : 2
}

export interface GestureContext {
  segment: number
  options: EditOptions
  /** Modality values by voxel index (threshold brush, region grow). */
  values: (index: number) => number
}

/** Applies a gesture as one transaction; returns the slices it changed. */
export function applyGesture(document: LabelmapDocument, space: VoxelSpace, gesture: SegmentGesture, { segment, options, values }: GestureContext): number[] {
  switch (gesture.kind) {
    case 'stroke': {
      const shape = options.brushShape === 'sphere' ? ({ shape: 'sphere' } as const) : ({ shape: 'circle', plane: gesture.plane } as const)
      return paintStroke(document, space, {
        ...shape,
        centres: gesture.centres,
        radiusMm: options.brushRadiusMm,
        segment,
        mode: gesture.tool === 'SegmentEraser' ? 'erase' : 'paint',
        threshold: gesture.tool === 'ThresholdBrush' ? { ...options.threshold, values } : undefined,
      })
    }
    case 'scissors': {
      const common = { segment, mode: options.scissorsMode }
      if (options.scissorsShape === 'rectangle') return scissors(document, space, { ...common, shape: 'rectangle', plane: gesture.plane, corners: [gesture.start, gesture.end] })
      if (options.scissorsShape === 'circle')
        return scissors(document, space, { ...common, shape: 'circle', plane: gesture.plane, centre: gesture.start, radiusMm: gesture.radiusMm })
      return scissors(document, space, { ...common, shape: 'sphere', centre: gesture.start, radiusMm: gesture.radiusMm })
    }
    case 'grow':
      return regionGrow(document, space, { seed: gesture.seed, ...options.grow, values, segment, connectivity: 6, maxVoxels: growLimitVoxels })
  }
}

export function fillBetweenSlices(document: LabelmapDocument, space: VoxelSpace, segment: number, axis: 0 | 1 | 2): number[] {
  return interpolateSlices(document, space, { segment, axis })
}

/** Keeps the segment's largest connected piece. */
export function keepLargestIsland(document: LabelmapDocument, space: VoxelSpace, segment: number): number[] {
  return removeIslands(document, space, { segment, keep: 'largest' })
}

export type SegmentFigures = SegmentStatistics & { segment: number }

/** Volume and modality statistics of every segment of the document. */
export function statisticsOf(document: LabelmapDocument, space: VoxelSpace, values: (index: number) => number): SegmentFigures[] {
  return document.segments.map((segment) => ({ segment: segment.number, ...segmentStatistics(document, space, segment.number, values) }))
}
