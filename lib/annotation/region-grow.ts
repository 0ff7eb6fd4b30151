import { type LabelmapDocument, LabelmapError } from './labelmap-document'
import { checkInside, checkRange, checkSegment, checkSpace, type Ijk, nearestVoxel, valueReader, type ValueSource, type VoxelSpace } from './voxel-space'

// Region grow from a click: the voxels connected to the seed (by faces, or faces, edges and
// corners) whose modality value lies in the range, added to the segment. The region is
// bounded: past `maxVoxels` nothing is written and the user is told to narrow the range.

export interface RegionGrowOptions {
  seed: Ijk
  low: number
  high: number
  values: ValueSource
  segment: number
  connectivity: 6 | 26
  maxVoxels: number
}

/** The region grew past its voxel cap (nothing was written). */
export class RegionTooLargeError extends LabelmapError {
  constructor(readonly maxVoxels: number) {
    super(`The region grew past ${maxVoxels.toLocaleString('en')} voxels, so nothing was added: narrow the intensity range or click inside a smaller structure.`)
    this.name = 'RegionTooLargeError'
  }
}

export function regionGrow(doc: LabelmapDocument, space: VoxelSpace, options: RegionGrowOptions): number[] {
  checkSpace(doc, space)
  checkSegment(doc, options.segment)
  checkInside(space, options.seed, 'seed')
  checkRange(options.low, options.high)
  if (!Number.isInteger(options.maxVoxels) || options.maxVoxels < 1) throw new LabelmapError('The region grow limit must be a whole number of voxels above 0.')
  if (options.connectivity !== 6 && options.connectivity !== 26) throw new LabelmapError('Region grow connects voxels by faces (6) or by faces, edges and corners (26).')
  const value = valueReader(options.values, doc.voxels)
  const { columns, rows, slices } = space
  const sliceSize = columns * rows
  const seed = nearestVoxel(space, options.seed)
  const inRange = (index: number) => {
    const v = value(index)
    return v >= options.low && v <= options.high
  }
  if (!inRange(seed)) throw new LabelmapError(`The value at the click (${value(seed)}) is outside the range ${options.low} to ${options.high}.`)
  const offsets = neighbourOffsets(options.connectivity)
  const visited = new Uint8Array(doc.voxels)
  const region: number[] = [seed]
  visited[seed] = 1
  for (let head = 0; head < region.length; head++) {
    const index = region[head]!
    const i = index % columns
    const j = Math.floor(index / columns) % rows
    const k = Math.floor(index / sliceSize)
    for (const [di, dj, dk] of offsets) {
      const ni = i + di
      const nj = j + dj
      const nk = k + dk
      if (ni < 0 || nj < 0 || nk < 0 || ni >= columns || nj >= rows || nk >= slices) continue
      const neighbour = index + dk * sliceSize + dj * columns + di
      if (visited[neighbour]) continue
      visited[neighbour] = 1
      if (!inRange(neighbour)) continue
      if (region.length >= options.maxVoxels) throw new RegionTooLargeError(options.maxVoxels)
      region.push(neighbour)
    }
  }
  return doc.transact('Region grow', (edit) => {
    for (const index of region) edit.paint(index, options.segment)
  })
}

function neighbourOffsets(connectivity: 6 | 26): Ijk[] {
  const offsets: Ijk[] = []
  for (let dk = -1; dk <= 1; dk++)
    for (let dj = -1; dj <= 1; dj++)
      for (let di = -1; di <= 1; di++) {
        const steps = Math.abs(di) + Math.abs(dj) + Math.abs(dk)
        if (steps > 0 && (connectivity === 26 || steps === 1)) offsets.push([di, dj, dk])
      }
  return offsets
}
