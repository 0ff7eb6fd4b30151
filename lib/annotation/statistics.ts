import { type LabelmapDocument } from './labelmap-document'
import { checkSegment, checkSpace, valueReader, type ValueSource, type VoxelSpace } from './voxel-space'

// Segment statistics (Slicer's Segment Statistics): size from the voxel spacing, and the
// modality values (e.g. HU, SUV) under the segment. The SD is the population standard
// deviation (over the segment's voxels, as Slicer reports it), computed with Welford's
// update so large segments keep their precision.

export interface SegmentStatistics {
  voxels: number
  volumeMl: number
  /** Null for an empty segment. */
  mean: number | null
  sd: number | null
  min: number | null
  max: number | null
}

export function segmentStatistics(doc: LabelmapDocument, space: VoxelSpace, segment: number, values: ValueSource): SegmentStatistics {
  checkSpace(doc, space)
  const { number, layer } = checkSegment(doc, segment)
  const value = valueReader(values, doc.voxels)
  const labels = doc.layerLabels(layer)
  let voxels = 0
  let mean = 0
  let squares = 0
  let min = Infinity
  let max = -Infinity
  for (let index = 0; index < labels.length; index++) {
    if (labels[index] !== number) continue
    const v = value(index)
    voxels += 1
    const delta = v - mean
    mean += delta / voxels
    squares += delta * (v - mean)
    if (v < min) min = v
    if (v > max) max = v
  }
  const volumeMl = (voxels * space.spacing[0] * space.spacing[1] * space.spacing[2]) / 1000
  if (voxels === 0) return { voxels, volumeMl, mean: null, sd: null, min: null, max: null }
  return { voxels, volumeMl, mean, sd: Math.sqrt(squares / voxels), min, max }
}
