// Overlap and surface-distance agreement between two binary masks on one grid, with the
// definitions of lib/agreement/CONTEXT.md (surface = mask minus its 6-connected erosion,
// voxel-centre Euclidean distances in mm, nearest-rank 95th percentile).
import { squaredDistanceTransform } from './distance-transform'
import { checkSameGrid, forEachInBox, unionBox, voxelMl, type MaskVolume } from './mask-volume'

/** One direction's surface distances: from each surface voxel of one mask to the other's surface. */
export interface DirectedDistances {
  surfaceVoxels: number
  meanMm: number
  p95Mm: number
  maxMm: number
}

export interface MaskComparison {
  /** 2|A∩B| / (|A| + |B|); 1 when both are empty. */
  dice: number
  /** |A∩B| / |A∪B|; 1 when both are empty. */
  jaccard: number
  /** Larger of the two directed 95th percentiles; 0 when both are empty, null when one is. */
  hd95Mm: number | null
  /** Mean of every directed distance of both directions pooled; 0 / null as hd95Mm. */
  assdMm: number | null
  /** Larger of the two directed maxima (the Hausdorff distance); 0 / null as hd95Mm. */
  hausdorffMm: number | null
  volumeAMl: number
  volumeBMl: number
  /** |volume A − volume B|. */
  volumeDifferenceMl: number
  voxelsA: number
  voxelsB: number
  intersectionVoxels: number
  /** null when either mask is empty. */
  aToB: DirectedDistances | null
  bToA: DirectedDistances | null
}

/** Nearest rank: the value at rank ⌈p·n/100⌉ (1-based) of the sorted list, in integer arithmetic. */
export function nearestRankPercentile(sorted: Float64Array, p: number): number {
  const rank = Math.max(1, Math.floor((p * sorted.length + 99) / 100))
  return sorted[rank - 1]!
}

interface Box {
  origin: [number, number, number]
  dims: [number, number, number]
}

/** Counts, and the bounding box of A ∪ B (null when both are empty): no voxel outside it counts. */
function scan(a: MaskVolume, b: MaskVolume) {
  const union = unionBox([a, b])
  let voxelsA = 0
  let voxelsB = 0
  let intersection = 0
  if (!union) return { voxelsA, voxelsB, intersection, box: null }
  const [x, y] = [a.data, b.data]
  forEachInBox(union, a.columns, a.rows, (index) => {
    const inA = x[index] !== 0
    const inB = y[index] !== 0
    if (inA) voxelsA += 1
    if (inB) voxelsB += 1
    if (inA && inB) intersection += 1
  })
  const box: Box = { origin: union.lo, dims: [union.hi[0] - union.lo[0] + 1, union.hi[1] - union.lo[1] + 1, union.hi[2] - union.lo[2] + 1] }
  return { voxelsA, voxelsB, intersection, box }
}

/**
 * Box-local indices of the surface voxels of `mask`: voxels of the mask with at least one
 * of their 6 face neighbours outside it. Outside the box counts as outside the mask (the
 * box holds every voxel of both masks, and the volume's edge is background).
 */
function surface(mask: Uint8Array, columns: number, rows: number, box: Box): Int32Array {
  const [ox, oy, oz] = box.origin
  const [nx, ny, nz] = box.dims
  const plane = columns * rows
  const found: number[] = []
  for (let k = 0; k < nz; k += 1) {
    for (let j = 0; j < ny; j += 1) {
      const row = ox + (oy + j) * columns + (oz + k) * plane
      for (let i = 0; i < nx; i += 1) {
        const at = row + i
        if (mask[at] === 0) continue
        const interior =
          i > 0 &&
          i < nx - 1 &&
          j > 0 &&
          j < ny - 1 &&
          k > 0 &&
          k < nz - 1 &&
          mask[at - 1] !== 0 &&
          mask[at + 1] !== 0 &&
          mask[at - columns] !== 0 &&
          mask[at + columns] !== 0 &&
          mask[at - plane] !== 0 &&
          mask[at + plane] !== 0
        if (!interior) found.push(i + j * nx + k * nx * ny)
      }
    }
  }
  return Int32Array.from(found)
}

/** Distances (mm) from each voxel of `from` to the nearest voxel of `to`, both box-local surfaces; `grid` is scratch of the box's size. */
function directedDistances(from: Int32Array, to: Int32Array, box: Box, spacing: readonly [number, number, number], grid: Float32Array): Float64Array {
  grid.fill(Infinity)
  for (const index of to) grid[index] = 0
  squaredDistanceTransform(grid, box.dims, spacing)
  const distances = new Float64Array(from.length)
  for (let n = 0; n < from.length; n += 1) distances[n] = Math.sqrt(grid[from[n]!]!)
  return distances
}

function summarise(distances: Float64Array): { summary: DirectedDistances; sum: number } {
  const sorted = distances.slice().sort()
  let sum = 0
  for (const distance of sorted) sum += distance
  return {
    summary: { surfaceVoxels: sorted.length, meanMm: sum / sorted.length, p95Mm: nearestRankPercentile(sorted, 95), maxMm: sorted[sorted.length - 1]! },
    sum,
  }
}

/** Dice alone, one pass and no surfaces (1 when both are empty, as compareMasks). */
export function diceOnly(a: MaskVolume, b: MaskVolume): number {
  checkSameGrid(a, b)
  let both = 0
  let sum = 0
  const [x, y] = [a.data, b.data]
  for (let i = 0; i < x.length; i += 1) {
    const inA = x[i] !== 0
    const inB = y[i] !== 0
    if (inA) sum += 1
    if (inB) sum += 1
    if (inA && inB) both += 1
  }
  return sum === 0 ? 1 : (2 * both) / sum
}

/** Agreement between masks A and B on the same grid. Throws AgreementError when they are not comparable. */
export function compareMasks(a: MaskVolume, b: MaskVolume): MaskComparison {
  checkSameGrid(a, b)
  const { columns, rows, spacing } = a
  const { voxelsA, voxelsB, intersection, box } = scan(a, b)
  const unit = voxelMl(a)
  const volumes = {
    volumeAMl: voxelsA * unit,
    volumeBMl: voxelsB * unit,
    volumeDifferenceMl: Math.abs(voxelsA - voxelsB) * unit,
    voxelsA,
    voxelsB,
    intersectionVoxels: intersection,
  }
  if (!box) return { dice: 1, jaccard: 1, hd95Mm: 0, assdMm: 0, hausdorffMm: 0, ...volumes, aToB: null, bToA: null }
  const dice = (2 * intersection) / (voxelsA + voxelsB)
  const jaccard = intersection / (voxelsA + voxelsB - intersection)
  if (voxelsA === 0 || voxelsB === 0) return { dice, jaccard, hd95Mm: null, assdMm: null, hausdorffMm: null, ...volumes, aToB: null, bToA: null }
  const surfaceA = surface(a.data, columns, rows, box)
  const surfaceB = surface(b.data, columns, rows, box)
  const grid = new Float32Array(box.dims[0] * box.dims[1] * box.dims[2])
  const aToB = summarise(directedDistances(surfaceA, surfaceB, box, spacing, grid))
  const bToA = summarise(directedDistances(surfaceB, surfaceA, box, spacing, grid))
  return {
    dice,
    jaccard,
    hd95Mm: Math.max(aToB.summary.p95Mm, bToA.summary.p95Mm),
    assdMm: (aToB.sum + bToA.sum) / (surfaceA.length + surfaceB.length),
    hausdorffMm: Math.max(aToB.summary.maxMm, bToA.summary.maxMm),
    ...volumes,
    aToB: aToB.summary,
    bToA: bToA.summary,
  }
}
