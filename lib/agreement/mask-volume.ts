// A binary mask on a series' voxel grid: what agreement and consensus read.

/** 0/1 per voxel, columns fastest, then rows, then slices; spacing in mm (column, row, slice). */
export interface MaskVolume {
  data: Uint8Array
  columns: number
  rows: number
  slices: number
  spacing: readonly [number, number, number]
}

/** A mask (or a set of masks) that cannot be compared; the message is safe to show. */
export class AgreementError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'AgreementError'
  }
}

/** Spacings closer than this (relative) are the same grid: headers round differently. */
const SPACING_TOLERANCE = 1e-6

export function checkMask(mask: MaskVolume, name: string): void {
  const { columns, rows, slices, spacing } = mask
  if (![columns, rows, slices].every((n) => Number.isInteger(n) && n > 0)) throw new AgreementError(`${name} has no voxel grid (${columns}×${rows}×${slices}).`)
  if (mask.data.length !== columns * rows * slices)
    throw new AgreementError(`${name} holds ${mask.data.length} voxels where its grid of ${columns}×${rows}×${slices} needs ${columns * rows * slices}.`)
  if (!spacing.every((mm) => Number.isFinite(mm) && mm > 0)) throw new AgreementError(`${name} has no valid voxel spacing (${spacing.join(' × ')} mm).`)
}

/** Throws unless both masks are valid and lie on the same grid (dimensions and spacing). */
export function checkSameGrid(a: MaskVolume, b: MaskVolume, names: readonly [string, string] = ['The first mask', 'The second mask']): void {
  checkMask(a, names[0])
  checkMask(b, names[1])
  if (a.columns !== b.columns || a.rows !== b.rows || a.slices !== b.slices)
    throw new AgreementError(`${names[0]} (${a.columns}×${a.rows}×${a.slices}) and ${names[1]} (${b.columns}×${b.rows}×${b.slices}) are not on the same grid.`)
  const differs = a.spacing.some((mm, axis) => Math.abs(mm - b.spacing[axis]!) > SPACING_TOLERANCE * Math.max(mm, b.spacing[axis]!))
  if (differs) throw new AgreementError(`${names[0]} (${a.spacing.join(' × ')} mm) and ${names[1]} (${b.spacing.join(' × ')} mm) have different voxel spacings.`)
}

/** Volume of one voxel in mL (mm³ / 1000). */
export const voxelMl = (mask: MaskVolume) => (mask.spacing[0] * mask.spacing[1] * mask.spacing[2]) / 1000

/** An all-zero mask on the grid of `like`. */
export const emptyMaskLike = (like: MaskVolume): MaskVolume => ({ ...like, data: new Uint8Array(like.data.length) })

/** Voxels inside a mask (non-zero). */
export function countVoxels(data: Uint8Array): number {
  let count = 0
  for (let i = 0; i < data.length; i += 1) if (data[i] !== 0) count += 1
  return count
}
