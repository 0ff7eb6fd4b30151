// Exact Euclidean distance transform in linear time (Felzenszwalb & Huttenlocher, "Distance
// Transforms of Sampled Functions", 2012): the squared distance to the nearest feature is
// separable, so one pass per axis takes the lower envelope of parabolas along every line.
// Distances are in millimetres: each axis has its own spacing (anisotropic voxels).

/**
 * The squared distance (mm²) from each element's centre to the nearest element where
 * `feature` is non-zero, on a grid of `dims` (first axis fastest) with `spacing` mm per
 * axis; Infinity everywhere when there is no feature.
 */
export function squaredDistanceTransform(feature: ArrayLike<number>, dims: readonly number[], spacing: readonly number[]): Float64Array {
  const total = dims.reduce((product, n) => product * n, 1)
  if (feature.length !== total) throw new Error(`The grid holds ${total} elements, not ${feature.length}.`)
  const distance = new Float64Array(total)
  for (let index = 0; index < total; index++) distance[index] = feature[index] ? 0 : Infinity
  const longest = Math.max(...dims)
  const line = new Float64Array(longest)
  const out = new Float64Array(longest)
  const vertices = new Int32Array(longest)
  const bounds = new Float64Array(longest + 1)
  let stride = 1
  for (let axis = 0; axis < dims.length; axis++) {
    const n = dims[axis]!
    const step = spacing[axis]!
    const block = stride * n
    for (let outer = 0; outer < total; outer += block)
      for (let inner = 0; inner < stride; inner++) {
        const start = outer + inner
        for (let p = 0; p < n; p++) line[p] = distance[start + p * stride]!
        lowerEnvelope(line, n, step, out, vertices, bounds)
        for (let p = 0; p < n; p++) distance[start + p * stride] = out[p]!
      }
    stride = block
  }
  return distance
}

/** out[p] = min over q of ((p − q)·step)² + f[q], for the first n elements (f = Infinity: no parabola). */
function lowerEnvelope(f: Float64Array, n: number, step: number, out: Float64Array, vertices: Int32Array, bounds: Float64Array) {
  let k = -1
  for (let q = 0; q < n; q++) {
    const fq = f[q]!
    if (fq === Infinity) continue
    const xq = q * step
    if (k < 0) {
      k = 0
      vertices[0] = q
      bounds[0] = -Infinity
      bounds[1] = Infinity
      continue
    }
    let crossing: number
    for (;;) {
      const r = vertices[k]!
      const xr = r * step
      crossing = (fq + xq * xq - (f[r]! + xr * xr)) / (2 * (xq - xr))
      if (crossing > bounds[k]!) break
      k -= 1
    }
    k += 1
    vertices[k] = q
    bounds[k] = crossing
    bounds[k + 1] = Infinity
  }
  if (k < 0) {
    out.fill(Infinity, 0, n)
    return
  }
  let j = 0
  for (let p = 0; p < n; p++) {
    const x = p * step
    while (bounds[j + 1]! < x) j += 1
    const v = vertices[j]!
    out[p] = (x - v * step) ** 2 + f[v]!
  }
}
