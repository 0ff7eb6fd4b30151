import { squaredDistanceTransform } from './distance-transform'
import { type LabelmapDocument, LabelmapError } from './labelmap-document'
import { checkSegment, checkSpace, type VoxelSpace } from './voxel-space'

// Fill between slices (3D Slicer's name): morphological contour interpolation between the
// slices a user drew on. Each slice holding the segment along the axis is a key slice;
// between two key slices, the segment is where the linear blend of their signed distance
// maps (mm, negative inside) is negative, so a shape grows or shrinks smoothly from one key
// slice to the next. Pure TypeScript (no wasm, nothing fetched), so it works offline and
// under the page's CSP. Slices that already hold the segment are keys and stay as drawn;
// nothing is added before the first key slice or after the last.

export interface InterpolateOptions {
  segment: number
  /** The axis across the key slices: 0 = columns (sagittal slices), 1 = rows (coronal), 2 = slices (axial). */
  axis: 0 | 1 | 2
}

export function interpolateSlices(doc: LabelmapDocument, space: VoxelSpace, options: InterpolateOptions): number[] {
  checkSpace(doc, space)
  const { number, layer } = checkSegment(doc, options.segment)
  if (![0, 1, 2].includes(options.axis)) throw new LabelmapError('Fill between slices runs along columns (0), rows (1) or slices (2).')
  const labels = doc.layerLabels(layer)
  const dims = [space.columns, space.rows, space.slices]
  const strides = [1, space.columns, space.columns * space.rows]
  const axis = options.axis
  const [p, q] = [0, 1, 2].filter((other) => other !== axis) as [number, number]
  // The key slices, and the in-plane box of the segment over all of them.
  const present = new Uint8Array(dims[axis]!)
  const box = { p0: Infinity, p1: -Infinity, q0: Infinity, q1: -Infinity }
  const coordinate = [0, 0, 0]
  for (let k = 0, index = 0; k < space.slices; k++)
    for (let j = 0; j < space.rows; j++)
      for (let i = 0; i < space.columns; i++, index++) {
        if (labels[index] !== number) continue
        coordinate[0] = i
        coordinate[1] = j
        coordinate[2] = k
        present[coordinate[axis]!] = 1
        const x = coordinate[p]!
        const y = coordinate[q]!
        if (x < box.p0) box.p0 = x
        if (x > box.p1) box.p1 = x
        if (y < box.q0) box.q0 = y
        if (y > box.q1) box.q1 = y
      }
  const keys = [...present.keys()].filter((position) => present[position])
  if (keys.length < 2) throw new LabelmapError('Fill between slices needs the segment drawn on at least two slices along this direction.')
  // One voxel of margin, so every key slice has background in the box: the distances
  // computed in the box are the distances in the whole slice (see CONTEXT.md).
  const p0 = Math.max(0, box.p0 - 1)
  const q0 = Math.max(0, box.q0 - 1)
  const width = Math.min(dims[p]! - 1, box.p1 + 1) - p0 + 1
  const height = Math.min(dims[q]! - 1, box.q1 + 1) - q0 + 1
  const planeSpacing = [space.spacing[p]!, space.spacing[q]!]
  const offset = (position: number, x: number, y: number) => position * strides[axis]! + (p0 + x) * strides[p]! + (q0 + y) * strides[q]!
  const signedDistance = (position: number) => {
    const inside = new Uint8Array(width * height)
    for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) inside[y * width + x] = labels[offset(position, x, y)] === number ? 1 : 0
    const toInside = squaredDistanceTransform(inside, [width, height], planeSpacing)
    const toOutside = squaredDistanceTransform(
      inside.map((v) => 1 - v),
      [width, height],
      planeSpacing,
    )
    return Float64Array.from(toInside, (d, index) => Math.sqrt(d) - Math.sqrt(toOutside[index]!))
  }
  return doc.transact('Fill between slices', (edit) => {
    let previous: { position: number; distance: Float64Array } | null = null
    for (let n = 0; n + 1 < keys.length; n++) {
      const [a, b] = [keys[n]!, keys[n + 1]!]
      if (b - a < 2) {
        previous = null
        continue
      }
      const from = previous?.position === a ? previous.distance : signedDistance(a)
      const to = signedDistance(b)
      previous = { position: b, distance: to }
      for (let position = a + 1; position < b; position++) {
        const t = (position - a) / (b - a)
        for (let y = 0; y < height; y++) {
          const row = offset(position, 0, y)
          for (let x = 0, pixel = y * width; x < width; x++, pixel++) if ((1 - t) * from[pixel]! + t * to[pixel]! < 0) edit.paint(row + x * strides[p]!, number)
        }
      }
    }
  })
}
