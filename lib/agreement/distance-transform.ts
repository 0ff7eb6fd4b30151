// Exact squared Euclidean distance transform on an anisotropic grid (Felzenszwalb and
// Huttenlocher, "Distance Transforms of Sampled Functions", 2012): one 1-D pass per axis,
// each weighted by that axis' spacing² (the first, on 0/∞ input, is the nearest feature on
// the line; the others the lower envelope of parabolas), so the result is the exact
// squared distance in mm² between voxel centres, in O(voxels). The grid is float32 (half
// the memory of float64 on a whole 512×512×275 box; the envelope itself is computed in
// float64): that rounds a distance by under 1e-4 mm at 1 m.

/**
 * 1-D transform of `f` (length n, read with `stride` from `offset`) in place:
 * out(q) = min over p of weight·(q − p)² + f(p). Infinite entries are not features.
 * `v`, `z` and `line` are caller-owned scratch arrays of at least n (+1 for z) entries.
 */
function transformLine(grid: Float32Array, offset: number, stride: number, n: number, weight: number, v: Int32Array, z: Float64Array, line: Float64Array): void {
  for (let q = 0; q < n; q += 1) line[q] = grid[offset + q * stride]!
  let k = -1
  for (let q = 0; q < n; q += 1) {
    const fq = line[q]!
    if (fq === Infinity) continue
    if (k < 0) {
      k = 0
      v[0] = q
      z[0] = -Infinity
      z[1] = Infinity
      continue
    }
    let p = v[k]!
    let s = (fq + weight * q * q - (line[p]! + weight * p * p)) / (2 * weight * (q - p))
    // z[0] is −∞, so the envelope never empties.
    while (s <= z[k]!) {
      k -= 1
      p = v[k]!
      s = (fq + weight * q * q - (line[p]! + weight * p * p)) / (2 * weight * (q - p))
    }
    k += 1
    v[k] = q
    z[k] = s
    z[k + 1] = Infinity
  }
  if (k < 0) return
  let j = 0
  for (let q = 0; q < n; q += 1) {
    while (z[j + 1]! < q) j += 1
    const p = v[j]!
    grid[offset + q * stride] = weight * (q - p) * (q - p) + line[p]!
  }
}

/**
 * The first pass, along slices, where every entry is 0 or ∞: the nearest feature on each
 * line, scanned both ways a whole plane at a time (contiguous memory; no envelope needed).
 */
function slicePass(grid: Float32Array, plane: number, nz: number, weight: number): void {
  const nearest = new Int32Array(plane).fill(-1)
  for (let k = 0; k < nz; k += 1) {
    for (let p = 0, index = k * plane; p < plane; p += 1, index += 1) {
      if (grid[index] === 0) nearest[p] = k
      else if (nearest[p]! >= 0) grid[index] = weight * (k - nearest[p]!) * (k - nearest[p]!)
    }
  }
  nearest.fill(-1)
  for (let k = nz - 1; k >= 0; k -= 1) {
    for (let p = 0, index = k * plane; p < plane; p += 1, index += 1) {
      if (grid[index] === 0) nearest[p] = k
      else if (nearest[p]! >= 0) grid[index] = Math.min(grid[index]!, weight * (nearest[p]! - k) * (nearest[p]! - k))
    }
  }
}

/**
 * Squared distance (mm²) from every voxel of a box to the nearest feature voxel, in place:
 * `grid` holds 0 at features and Infinity elsewhere on entry (x fastest, then y, then z).
 * A box without features stays Infinity.
 */
export function squaredDistanceTransform(grid: Float32Array, dims: readonly [number, number, number], spacing: readonly [number, number, number]): void {
  const [nx, ny, nz] = dims
  const longest = Math.max(nx, ny, nz)
  const v = new Int32Array(longest)
  const z = new Float64Array(longest + 1)
  const line = new Float64Array(longest)
  const plane = nx * ny
  const [wx, wy, wz] = [spacing[0] * spacing[0], spacing[1] * spacing[1], spacing[2] * spacing[2]]
  // Slices first (binary input, plane by plane), then rows and columns, whose lines lie
  // within one slice: memory is read in order, never a slice apart.
  slicePass(grid, plane, nz, wz)
  for (let k = 0; k < nz; k += 1) for (let j = 0; j < ny; j += 1) transformLine(grid, k * plane + j * nx, 1, nx, wx, v, z, line)
  for (let k = 0; k < nz; k += 1) for (let i = 0; i < nx; i += 1) transformLine(grid, k * plane + i, nx, ny, wy, v, z, line)
}
