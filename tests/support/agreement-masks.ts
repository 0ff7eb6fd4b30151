import type { MaskVolume } from '../../lib/agreement/mask-volume'

// Synthetic binary masks for the agreement tests and bench: boxes and ellipsoids on an
// anisotropic grid, drawn voxel by voxel from their definitions (voxel centres in mm).

export interface Grid {
  columns: number
  rows: number
  slices: number
  spacing: readonly [number, number, number]
}

export const emptyMask = (grid: Grid): MaskVolume => ({ ...grid, data: new Uint8Array(grid.columns * grid.rows * grid.slices) })

/** Voxels with lo ≤ index ≤ hi on every axis (column, row, slice), clipped to the grid. */
export function boxMask(grid: Grid, lo: readonly [number, number, number], hi: readonly [number, number, number]): MaskVolume {
  const mask = emptyMask(grid)
  for (let k = Math.max(0, lo[2]); k <= Math.min(grid.slices - 1, hi[2]); k += 1)
    for (let j = Math.max(0, lo[1]); j <= Math.min(grid.rows - 1, hi[1]); j += 1)
      for (let i = Math.max(0, lo[0]); i <= Math.min(grid.columns - 1, hi[0]); i += 1) mask.data[i + j * grid.columns + k * grid.columns * grid.rows] = 1
  return mask
}

/** Voxels whose centre lies in the ellipsoid of centre `centre` (voxel index units) and semi-axes `radiiMm`. */
export function ellipsoidMask(grid: Grid, centre: readonly [number, number, number], radiiMm: readonly [number, number, number]): MaskVolume {
  const mask = emptyMask(grid)
  const [sx, sy, sz] = grid.spacing
  // Only the ellipsoid's bounding box is visited, so 512×512×275 grids stay quick.
  const range = (axis: 0 | 1 | 2, size: number) => {
    const reach = radiiMm[axis] / grid.spacing[axis]
    return [Math.max(0, Math.floor(centre[axis] - reach)), Math.min(size - 1, Math.ceil(centre[axis] + reach))] as const
  }
  const [i0, i1] = range(0, grid.columns)
  const [j0, j1] = range(1, grid.rows)
  const [k0, k1] = range(2, grid.slices)
  for (let k = k0; k <= k1; k += 1) {
    const z = ((k - centre[2]) * sz) / radiiMm[2]
    for (let j = j0; j <= j1; j += 1) {
      const y = ((j - centre[1]) * sy) / radiiMm[1]
      const row = j * grid.columns + k * grid.columns * grid.rows
      for (let i = i0; i <= i1; i += 1) {
        const x = ((i - centre[0]) * sx) / radiiMm[0]
        if (x * x + y * y + z * z <= 1) mask.data[row + i] = 1
      }
    }
  }
  return mask
}

/** Metaimage (.mha) bytes of a mask with its spacing, for plastimatch. */
export function metaImage(mask: MaskVolume): Uint8Array {
  const header = [
    'ObjectType = Image',
    'NDims = 3',
    'BinaryData = True',
    'BinaryDataByteOrderMSB = False',
    'CompressedData = False',
    'TransformMatrix = 1 0 0 0 1 0 0 0 1',
    'Offset = 0 0 0',
    `ElementSpacing = ${mask.spacing.join(' ')}`,
    `DimSize = ${mask.columns} ${mask.rows} ${mask.slices}`,
    'ElementType = MET_UCHAR',
    'ElementDataFile = LOCAL',
    '',
  ].join('\n')
  const head = new TextEncoder().encode(header)
  const bytes = new Uint8Array(head.length + mask.data.length)
  bytes.set(head)
  bytes.set(mask.data, head.length)
  return bytes
}
