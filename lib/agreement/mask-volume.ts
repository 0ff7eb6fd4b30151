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

/** Index bounds (inclusive) on each axis: column, row, slice. */
export interface VoxelBox {
  lo: [number, number, number]
  hi: [number, number, number]
}

/**
 * The bounding box of the union of masks on one grid, or null when all are empty. Rows are
 * tested 4 voxels at a time where they start on 4-byte boundaries: most rows are empty.
 */
export function unionBox(masks: readonly MaskVolume[]): VoxelBox | null {
  const { columns, rows, slices } = masks[0]!
  const datas = masks.map((mask) => mask.data)
  const aligned = columns % 4 === 0 && datas.every((data) => data.byteOffset % 4 === 0)
  const words = aligned ? datas.map((data) => new Uint32Array(data.buffer, data.byteOffset, data.length / 4)) : null
  const lo: [number, number, number] = [columns, rows, slices]
  const hi: [number, number, number] = [-1, -1, -1]
  for (let k = 0; k < slices; k += 1) {
    for (let j = 0; j < rows; j += 1) {
      const start = (k * rows + j) * columns
      if (words && words.every((word) => rowIsEmpty(word, start / 4, columns / 4))) continue
      let first = columns
      let last = -1
      for (const data of datas) {
        for (let i = 0; i < first; i += 1) if (data[start + i] !== 0) first = i
        for (let i = columns - 1; i > last; i -= 1) if (data[start + i] !== 0) last = i
      }
      if (last < 0) continue
      lo[0] = Math.min(lo[0], first)
      hi[0] = Math.max(hi[0], last)
      lo[1] = Math.min(lo[1], j)
      hi[1] = Math.max(hi[1], j)
      lo[2] = Math.min(lo[2], k)
      hi[2] = Math.max(hi[2], k)
    }
  }
  return hi[0] < 0 ? null : { lo, hi }
}

function rowIsEmpty(words: Uint32Array, from: number, count: number): boolean {
  for (let w = from; w < from + count; w += 1) if (words[w] !== 0) return false
  return true
}

/** Calls visit(index) for every voxel of the box, rows in memory order. */
export function forEachInBox(box: VoxelBox, columns: number, rows: number, visit: (index: number) => void): void {
  for (let k = box.lo[2]; k <= box.hi[2]; k += 1)
    for (let j = box.lo[1]; j <= box.hi[1]; j += 1) {
      const row = (k * rows + j) * columns
      for (let i = box.lo[0]; i <= box.hi[0]; i += 1) visit(row + i)
    }
}
