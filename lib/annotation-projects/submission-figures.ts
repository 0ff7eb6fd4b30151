import type { LabelmapDocument } from '../annotation/labelmap-document'
import { diceOnly } from '../agreement/compare-masks'
import type { MaskVolume } from '../agreement/mask-volume'
import type { DicomSeries } from '../dicom/types'
import type { SegmentFigures } from './schema'

// What a submission tells the server about each segment (pure): its voxels, its volume and,
// where a model proposed it, the correction magnitude (Dice between the model's mask and the
// final one, MONAI Label's measure). Computed in the browser from the document; the mask stays.

/** Voxel spacing in mm (column, row, slice) of a series; 1 mm where the headers do not say. */
export function seriesSpacing(series: Pick<DicomSeries, 'instances' | 'geometry'>): [number, number, number] {
  const pixelSpacing = series.instances[0]?.pixelSpacing
  // DICOM's Pixel Spacing is (row spacing, column spacing).
  return [pixelSpacing?.[1] ?? 1, pixelSpacing?.[0] ?? 1, series.geometry.sliceSpacing ?? 1]
}

/** A binary volume of the series' grid. */
export const maskOn = (data: Uint8Array, grid: { columns: number; rows: number; slices: number }, spacing: readonly [number, number, number]): MaskVolume => ({
  data,
  columns: grid.columns,
  rows: grid.rows,
  slices: grid.slices,
  spacing,
})

/** A model's proposal, kept as it came so the correction can be measured at submission. */
export interface ModelOriginal {
  model: { id: string; version: string }
  /** Segment number → the model's mask (0/1, the document's grid). */
  masks: ReadonlyMap<number, Uint8Array>
}

/** The model-made segments of a document as they are now: what a ModelOriginal keeps. */
export function modelOriginalOf(document: LabelmapDocument): ModelOriginal | null {
  const made = document.segments.filter((segment) => segment.source.kind === 'model')
  const source = made[0]?.source
  if (!source || source.kind !== 'model') return null
  return { model: { id: source.id, version: source.version }, masks: new Map(made.map((segment) => [segment.number, document.mask(segment.number)])) }
}

/** The figures of every segment of the document (in segment number order). */
export function submissionFigures(document: LabelmapDocument, spacing: readonly [number, number, number], original: ModelOriginal | null): SegmentFigures[] {
  const voxelMl = (spacing[0] * spacing[1] * spacing[2]) / 1000
  return [...document.segments]
    .sort((a, b) => a.number - b.number)
    .map((segment) => {
      const mask = document.mask(segment.number)
      let voxels = 0
      for (const value of mask) voxels += value
      const proposed = original?.masks.get(segment.number)
      const correctionDice = proposed ? diceOnly(maskOn(proposed, document.grid, spacing), maskOn(mask, document.grid, spacing)) : null
      return { segmentNumber: segment.number, voxels, volumeMl: voxels * voxelMl, correctionDice, aiModel: proposed ? original!.model : null }
    })
}
