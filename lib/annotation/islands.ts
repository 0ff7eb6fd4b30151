import { type LabelmapDocument, LabelmapError } from './labelmap-document'
import { checkSegment, checkSpace, type VoxelSpace } from './voxel-space'

// Island removal: the segment's 3D connected components (by faces, or by faces, edges and
// corners); keep the largest, or drop those under a size. Labelled within the segment's
// bounding box, so a small segment on a large series costs little memory.

export interface RemoveIslandsOptions {
  segment: number
  keep: 'largest' | { minVoxels: number }
  /** Default 6 (faces). */
  connectivity?: 6 | 26
}

export function removeIslands(doc: LabelmapDocument, space: VoxelSpace, options: RemoveIslandsOptions): number[] {
  checkSpace(doc, space)
  const { number, layer } = checkSegment(doc, options.segment)
  const keep = options.keep
  if (keep !== 'largest' && (!Number.isInteger(keep.minVoxels) || keep.minVoxels < 1))
    throw new LabelmapError('The smallest island to keep must be a whole number of voxels above 0.')
  const connectivity = options.connectivity ?? 6
  if (connectivity !== 6 && connectivity !== 26) throw new LabelmapError('Islands connect by faces (6) or by faces, edges and corners (26).')
  const labels = doc.layerLabels(layer)
  const { columns, rows } = space
  const sliceSize = columns * rows
  const low = [Infinity, Infinity, Infinity]
  const high = [-1, -1, -1]
  for (let index = 0; index < labels.length; index++) {
    if (labels[index] !== number) continue
    const at = [index % columns, Math.floor(index / columns) % rows, Math.floor(index / sliceSize)]
    for (let axis = 0; axis < 3; axis++) {
      low[axis] = Math.min(low[axis]!, at[axis]!)
      high[axis] = Math.max(high[axis]!, at[axis]!)
    }
  }
  if (high[0] === -1) return []
  const [bw, bh, bd] = [0, 1, 2].map((axis) => high[axis]! - low[axis]! + 1) as [number, number, number]
  const boxIndex = (i: number, j: number, k: number) => ((k - low[2]!) * bh + (j - low[1]!)) * bw + (i - low[0]!)
  // component[b] = 1 + the component number of box voxel b (0: not the segment).
  const component = new Int32Array(bw * bh * bd)
  const sizes: number[] = []
  const queue = new Int32Array(bw * bh * bd)
  const steps: [number, number, number][] = []
  for (let dk = -1; dk <= 1; dk++)
    for (let dj = -1; dj <= 1; dj++)
      for (let di = -1; di <= 1; di++) {
        const n = Math.abs(di) + Math.abs(dj) + Math.abs(dk)
        if (n > 0 && (connectivity === 26 || n === 1)) steps.push([di, dj, dk])
      }
  for (let k = low[2]!; k <= high[2]!; k++)
    for (let j = low[1]!; j <= high[1]!; j++)
      for (let i = low[0]!; i <= high[0]!; i++) {
        const start = boxIndex(i, j, k)
        if (component[start] || labels[k * sliceSize + j * columns + i] !== number) continue
        const id = sizes.length + 1
        component[start] = id
        let head = 0
        let tail = 0
        queue[tail++] = start
        while (head < tail) {
          const b = queue[head++]!
          const bi = b % bw
          const bj = Math.floor(b / bw) % bh
          const bk = Math.floor(b / (bw * bh))
          for (const [di, dj, dk] of steps) {
            const ni = bi + di
            const nj = bj + dj
            const nk = bk + dk
            if (ni < 0 || nj < 0 || nk < 0 || ni >= bw || nj >= bh || nk >= bd) continue
            const nb = (nk * bh + nj) * bw + ni
            if (component[nb]) continue
            if (labels[(nk + low[2]!) * sliceSize + (nj + low[1]!) * columns + ni + low[0]!] !== number) continue
            component[nb] = id
            queue[tail++] = nb
          }
        }
        sizes.push(tail)
      }
  let largest = 1
  for (let id = 2; id <= sizes.length; id++) if (sizes[id - 1]! > sizes[largest - 1]!) largest = id
  const kept = (id: number) => (keep === 'largest' ? id === largest : sizes[id - 1]! >= keep.minVoxels)
  return doc.transact('Remove islands', (edit) => {
    for (let k = low[2]!; k <= high[2]!; k++)
      for (let j = low[1]!; j <= high[1]!; j++)
        for (let i = low[0]!; i <= high[0]!; i++) {
          const id = component[boxIndex(i, j, k)]!
          if (id && !kept(id)) edit.erase(k * sliceSize + j * columns + i, number)
        }
  })
}
