import { dot, forEachInBox, inSlab, type PlaneFrame, subtract, type Vec3, type VoxelSpace } from './voxel-space'

// The voxel sets of the brush and scissors shapes. Points are in the grid's millimetre
// frame; a voxel belongs to a shape when its centre does (a flat shape also needs the plane
// to cross the voxel's cell, see inSlab).

/**
 * The voxels within `radius` mm of the segment a–b: a capsule, or on a plane (frame given)
 * the swept disc, so a fast drag between two centres leaves no gap. a = b gives a sphere
 * or a disc.
 */
export function forEachInCapsule(space: VoxelSpace, a: Vec3, b: Vec3, radius: number, frame: PlaneFrame | null, visit: (index: number) => void): void {
  const extent = [0, 1, 2].map((axis) => (frame ? radius * Math.sqrt(Math.max(0, 1 - frame.n[axis]! ** 2)) + frame.halfThickness * Math.abs(frame.n[axis]!) : radius))
  const low = [0, 1, 2].map((axis) => Math.min(a[axis]!, b[axis]!) - extent[axis]!) as Vec3
  const high = [0, 1, 2].map((axis) => Math.max(a[axis]!, b[axis]!) + extent[axis]!) as Vec3
  const [d0, d1, d2] = subtract(b, a)
  const length2 = d0 * d0 + d1 * d1 + d2 * d2
  const r2 = radius * radius * (1 + 1e-9)
  const [s0, s1, s2] = space.spacing
  const [n0, n1, n2] = frame ? frame.n : [0, 0, 0]
  forEachInBox(space, low, high, (index, i, j, k) => {
    const w0 = i * s0 - a[0]
    const w1 = j * s1 - a[1]
    const w2 = k * s2 - a[2]
    const t = length2 > 0 ? Math.min(1, Math.max(0, (w0 * d0 + w1 * d1 + w2 * d2) / length2)) : 0
    const e0 = w0 - t * d0
    const e1 = w1 - t * d1
    const e2 = w2 - t * d2
    const distance2 = e0 * e0 + e1 * e1 + e2 * e2
    if (!frame) {
      if (distance2 <= r2) visit(index)
      return
    }
    const normal = e0 * n0 + e1 * n1 + e2 * n2
    if (distance2 - normal * normal <= r2 && inSlab(normal, frame.halfThickness)) visit(index)
  })
}

/**
 * The voxels of the rectangle on the plane with opposite corners a and b (mm), or, with
 * `throughVolume`, of the prism it sweeps along the plane's normal across the volume.
 */
export function forEachInRectangle(space: VoxelSpace, a: Vec3, b: Vec3, frame: PlaneFrame, throughVolume: boolean, visit: (index: number) => void): void {
  const diagonal = subtract(b, a)
  const x = dot(diagonal, frame.u)
  const y = dot(diagonal, frame.v)
  const [x0, x1] = [Math.min(0, x), Math.max(0, x)]
  const [y0, y1] = [Math.min(0, y), Math.max(0, y)]
  const tolerance = 1e-9 * Math.max(1, Math.abs(x), Math.abs(y))
  let low: Vec3 = [0, 0, 0]
  let high: Vec3 = [(space.columns - 1) * space.spacing[0], (space.rows - 1) * space.spacing[1], (space.slices - 1) * space.spacing[2]]
  if (!throughVolume) {
    const h = frame.halfThickness
    const corners = [x0, x1].flatMap((cx) =>
      [y0, y1].flatMap((cy) => [-h, h].map((cn) => [0, 1, 2].map((axis) => a[axis]! + cx * frame.u[axis]! + cy * frame.v[axis]! + cn * frame.n[axis]!))),
    )
    low = [0, 1, 2].map((axis) => Math.min(...corners.map((corner) => corner[axis]!))) as Vec3
    high = [0, 1, 2].map((axis) => Math.max(...corners.map((corner) => corner[axis]!))) as Vec3
  }
  const [s0, s1, s2] = space.spacing
  forEachInBox(space, low, high, (index, i, j, k) => {
    const w: Vec3 = [i * s0 - a[0], j * s1 - a[1], k * s2 - a[2]]
    const px = dot(w, frame.u)
    const py = dot(w, frame.v)
    if (px < x0 - tolerance || px > x1 + tolerance || py < y0 - tolerance || py > y1 + tolerance) return
    if (throughVolume || inSlab(dot(w, frame.n), frame.halfThickness)) visit(index)
  })
}
