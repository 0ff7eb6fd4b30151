import { LabelmapDocument, type SegmentInit } from '../../lib/annotation/labelmap-document'
import type { Ijk, VoxelSpace } from '../../lib/annotation/voxel-space'

// Builders shared by the edit operations' tests.

export const axial = { u: [1, 0, 0], v: [0, 1, 0] } as { u: [number, number, number]; v: [number, number, number] }
export const sagittal = { u: [0, 1, 0], v: [0, 0, 1] } as { u: [number, number, number]; v: [number, number, number] }

export function segment(number: number, layer = 0): SegmentInit {
  return { number, name: `Segment ${number}`, color: [255, 0, 0], category: null, type: null, source: { kind: 'user', userId: 'u1' }, layer }
}

export function documentOn(space: VoxelSpace, segments: SegmentInit[] = [segment(1)]): LabelmapDocument {
  return new LabelmapDocument('1.2.3', { columns: space.columns, rows: space.rows, slices: space.slices }, segments)
}

/** The voxels of a segment as sorted [i, j, k] triples. */
export function voxelsOf(doc: LabelmapDocument, segmentNumber: number): Ijk[] {
  const { columns, rows } = doc.grid
  const mask = doc.mask(segmentNumber)
  const out: Ijk[] = []
  for (let index = 0; index < mask.length; index++) if (mask[index]) out.push([index % columns, Math.floor(index / columns) % rows, Math.floor(index / (columns * rows))])
  return out
}

export function indexOf(space: VoxelSpace, [i, j, k]: Ijk): number {
  return (k * space.rows + j) * space.columns + i
}
