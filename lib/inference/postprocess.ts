// Turning model outputs into label volumes: activations (softmax, sigmoid), argmax and
// thresholding to labels, removal of small connected components, and label statistics.
// Multi-channel data are channel-first (channel c, voxel v at c × voxelCount + v, as an ONNX
// [1, C, D, H, W] tensor); a volume [nx, ny, nz] holds voxel (x, y, z) at x + nx × (y + ny × z).
// Shared by the inference worker and the CLI, so typed arrays and Math only; loops avoid
// per-voxel allocation because volumes reach 256³ (16.7M voxels).

/** Per-voxel softmax over the channels, into a new array; the channel maximum is subtracted first so exp cannot overflow. */
export function softmaxChannels(logits: Float32Array, channels: number): Float32Array {
  const voxelCount = voxelsPerChannel(logits.length, channels)
  const probabilities = new Float32Array(logits.length)
  for (let voxel = 0; voxel < voxelCount; voxel++) {
    let max = -Infinity
    for (let i = voxel; i < logits.length; i += voxelCount) if (logits[i]! > max) max = logits[i]!
    let sum = 0
    for (let i = voxel; i < logits.length; i += voxelCount) {
      const exponential = Math.exp(logits[i]! - max)
      probabilities[i] = exponential
      sum += exponential
    }
    for (let i = voxel; i < logits.length; i += voxelCount) probabilities[i] = probabilities[i]! / sum
  }
  return probabilities
}

/** Element-wise logistic function, into a new array (exp overflow gives 0, not NaN). */
export function sigmoid(values: Float32Array): Float32Array {
  const probabilities = new Float32Array(values.length)
  for (let i = 0; i < values.length; i++) probabilities[i] = 1 / (1 + Math.exp(-values[i]!))
  return probabilities
}

/** Per voxel, the index of the largest channel; ties go to the lowest index. */
export function argmaxChannels(values: Float32Array, channels: number): Uint8Array {
  if (channels > 255) throw new RangeError(`${channels} channels do not fit 8-bit labels`)
  const voxelCount = voxelsPerChannel(values.length, channels)
  const labels = new Uint8Array(voxelCount)
  for (let voxel = 0; voxel < voxelCount; voxel++) {
    let best = 0
    let bestValue = values[voxel]!
    for (let channel = 1; channel < channels; channel++) {
      const value = values[channel * voxelCount + voxel]!
      if (value > bestValue) {
        best = channel
        bestValue = value
      }
    }
    labels[voxel] = best
  }
  return labels
}

/** `label` where the channel's probability is at least `threshold`, else 0. */
export function thresholdChannel(probabilities: Float32Array, channels: number, channel: number, threshold: number, label: number): Uint8Array {
  const voxelCount = voxelsPerChannel(probabilities.length, channels)
  if (!Number.isInteger(channel) || channel < 0 || channel >= channels) throw new RangeError(`Channel ${channel} is not one of ${channels}`)
  if (!Number.isInteger(label) || label < 0 || label > 255) throw new RangeError(`Label ${label} does not fit 8 bits`)
  const labels = new Uint8Array(voxelCount)
  const offset = channel * voxelCount
  for (let voxel = 0; voxel < voxelCount; voxel++) if (probabilities[offset + voxel]! >= threshold) labels[voxel] = label
  return labels
}

/**
 * Sets to 0, in place, every connected component (voxels of one non-zero label value) smaller
 * than `minVoxels`, and returns how many components that was. Connectivity 6 joins voxels
 * sharing a face, 26 also those sharing an edge or corner; with nz = 1 these are 2D 4- and
 * 8-connectivity. Flood fill is breadth-first over an explicit queue (recursion would overflow
 * the stack on large components); costs two volume-sized buffers (5 bytes a voxel).
 */
export function removeSmallComponents(labels: Uint8Array, dimensions: [number, number, number], minVoxels: number, connectivity: 6 | 26 = 6): { removed: number } {
  const [nx, ny, nz] = dimensions
  const voxelCount = nx * ny * nz
  if (labels.length !== voxelCount) throw new RangeError(`${labels.length} labels for a ${nx}×${ny}×${nz} volume`)
  // Every component has at least one voxel.
  if (minVoxels <= 1) return { removed: 0 }
  const sliceSize = nx * ny
  const visited = new Uint8Array(voxelCount)
  // The queue is never reused within a fill, so afterwards it lists exactly the component's voxels.
  const component = new Int32Array(voxelCount)
  let removed = 0
  for (let seed = 0; seed < voxelCount; seed++) {
    const label = labels[seed]!
    if (label === 0 || visited[seed]) continue
    visited[seed] = 1
    component[0] = seed
    let head = 0
    let size = 1
    while (head < size) {
      const voxel = component[head++]!
      const x = voxel % nx
      const row = (voxel - x) / nx
      const y = row % ny
      const z = (row - y) / ny
      if (connectivity === 6) {
        if (x > 0) size = enqueue(voxel - 1, label, labels, visited, component, size)
        if (x < nx - 1) size = enqueue(voxel + 1, label, labels, visited, component, size)
        if (y > 0) size = enqueue(voxel - nx, label, labels, visited, component, size)
        if (y < ny - 1) size = enqueue(voxel + nx, label, labels, visited, component, size)
        if (z > 0) size = enqueue(voxel - sliceSize, label, labels, visited, component, size)
        if (z < nz - 1) size = enqueue(voxel + sliceSize, label, labels, visited, component, size)
      } else {
        // The voxel itself is among the 27 but is already visited, so enqueue skips it.
        for (let dz = z > 0 ? -1 : 0; dz <= (z < nz - 1 ? 1 : 0); dz++) {
          for (let dy = y > 0 ? -1 : 0; dy <= (y < ny - 1 ? 1 : 0); dy++) {
            const rowStart = voxel + dy * nx + dz * sliceSize
            for (let dx = x > 0 ? -1 : 0; dx <= (x < nx - 1 ? 1 : 0); dx++) size = enqueue(rowStart + dx, label, labels, visited, component, size)
          }
        }
      }
    }
    if (size < minVoxels) {
      for (let i = 0; i < size; i++) labels[component[i]!] = 0
      removed++
    }
  }
  return { removed }
}

/** Queues an unvisited neighbour of the same label; returns the new queue length. */
function enqueue(neighbour: number, label: number, labels: Uint8Array, visited: Uint8Array, queue: Int32Array, size: number): number {
  if (visited[neighbour] || labels[neighbour] !== label) return size
  visited[neighbour] = 1
  queue[size] = neighbour
  return size + 1
}

/** Voxel count of each label value 0..labelCount − 1; values at or above labelCount are not counted. */
export function labelVoxelCounts(labels: Uint8Array, labelCount: number): number[] {
  if (!Number.isInteger(labelCount) || labelCount < 1 || labelCount > 256) throw new RangeError(`Label count ${labelCount} is outside 1..256`)
  const counts = new Float64Array(256)
  for (let i = 0; i < labels.length; i++) counts[labels[i]!]!++
  return Array.from(counts.subarray(0, labelCount))
}

/** Dice overlap 2|A ∩ B| / (|A| + |B|) of the voxels carrying `label` in each volume; 1 when neither has any. */
export function diceCoefficient(a: Uint8Array, b: Uint8Array, label: number): number {
  if (a.length !== b.length) throw new RangeError(`Volumes differ in size: ${a.length} and ${b.length} voxels`)
  let inA = 0
  let inB = 0
  let inBoth = 0
  for (let i = 0; i < a.length; i++) {
    const isA = a[i] === label
    const isB = b[i] === label
    if (isA) inA++
    if (isB) inB++
    if (isA && isB) inBoth++
  }
  return inA + inB === 0 ? 1 : (2 * inBoth) / (inA + inB)
}

function voxelsPerChannel(length: number, channels: number): number {
  if (!Number.isInteger(channels) || channels < 1) throw new RangeError(`Channel count ${channels} is not a positive integer`)
  if (length % channels !== 0) throw new RangeError(`${length} values do not split into ${channels} channels`)
  return length / channels
}
