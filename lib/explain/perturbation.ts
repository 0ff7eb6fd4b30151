// Model-agnostic explanations from forward passes only, batched: occlusion sensitivity
// (Zeiler & Fergus 2014: how much the score drops when a patch is hidden) and RISE
// (Petsiuk et al. 2018: the score-weighted average of random masks). `score` runs a batch
// of inputs through the model and returns one score per input.
import { createRandom } from '../synthetic/chest-phantom'
import { resizeBilinear } from '../imaging/resize'
import { normaliseHeatmap } from './heatmap'

export type BatchScore = (inputs: Float32Array, count: number) => Promise<Float32Array>

export interface PerturbationOptions {
  columns: number
  rows: number
  /** The value hidden pixels take (the model's input for "nothing there"). */
  baseline: number
  batchSize?: number
  onProgress?: (done: number, total: number) => void
  /** Awaited before each batch; it throws to stop there (the worker's cancel). */
  checkpoint?: () => Promise<void>
}

async function scoreAll(inputs: Float32Array[], score: BatchScore, options: PerturbationOptions): Promise<Float32Array> {
  const size = options.columns * options.rows
  const batchSize = options.batchSize ?? 32
  const scores = new Float32Array(inputs.length)
  for (let start = 0; start < inputs.length; start += batchSize) {
    await options.checkpoint?.()
    const count = Math.min(batchSize, inputs.length - start)
    const batch = new Float32Array(count * size)
    for (let n = 0; n < count; n++) batch.set(inputs[start + n]!, n * size)
    scores.set((await score(batch, count)).subarray(0, count), start)
    options.onProgress?.(Math.min(start + count, inputs.length), inputs.length)
  }
  return scores
}

export async function occlusionSensitivity(input: Float32Array, score: BatchScore, options: PerturbationOptions & { patch?: number; stride?: number }): Promise<Float32Array> {
  const { columns, rows, baseline } = options
  const patch = options.patch ?? Math.max(4, Math.round(columns / 8))
  const stride = options.stride ?? Math.max(2, Math.round(patch / 2))
  const positions: { x: number; y: number }[] = []
  for (let y = 0; y <= rows - patch; y += stride) for (let x = 0; x <= columns - patch; x += stride) positions.push({ x, y })
  const inputs = positions.map(({ x, y }) => {
    const occluded = Float32Array.from(input)
    for (let j = y; j < y + patch; j++) occluded.fill(baseline, j * columns + x, j * columns + x + patch)
    return occluded
  })
  const [reference] = await scoreAll([input], score, { ...options, onProgress: undefined })
  const scores = await scoreAll(inputs, score, options)
  const drop = new Float32Array(columns * rows)
  const covered = new Float32Array(columns * rows)
  positions.forEach(({ x, y }, n) => {
    for (let j = y; j < y + patch; j++) {
      for (let i = x; i < x + patch; i++) {
        drop[j * columns + i]! += reference! - scores[n]!
        covered[j * columns + i]! += 1
      }
    }
  })
  for (let p = 0; p < drop.length; p++) drop[p] = covered[p]! > 0 ? Math.max(0, drop[p]! / covered[p]!) : 0
  return normaliseHeatmap(drop)
}

export async function rise(
  input: Float32Array,
  score: BatchScore,
  options: PerturbationOptions & { masks?: number; grid?: number; keep?: number; seed?: number },
): Promise<Float32Array> {
  const { columns, rows, baseline } = options
  const count = options.masks ?? 400
  const grid = options.grid ?? 8
  const keep = options.keep ?? 0.5
  const random = createRandom(options.seed ?? 1)
  const cellX = Math.ceil(columns / grid)
  const cellY = Math.ceil(rows / grid)
  const masks: Float32Array[] = []
  const inputs: Float32Array[] = []
  for (let m = 0; m < count; m++) {
    // A coarse random grid, upsampled smoothly and shifted by a random sub-cell offset.
    const coarse = Float32Array.from({ length: (grid + 1) * (grid + 1) }, () => (random.uniform() < keep ? 1 : 0))
    const fine = resizeBilinear(coarse, grid + 1, grid + 1, (grid + 1) * cellX, (grid + 1) * cellY)
    const offsetX = Math.floor(random.uniform() * cellX)
    const offsetY = Math.floor(random.uniform() * cellY)
    const mask = new Float32Array(columns * rows)
    for (let y = 0; y < rows; y++) for (let x = 0; x < columns; x++) mask[y * columns + x] = fine[(y + offsetY) * (grid + 1) * cellX + x + offsetX]!
    const masked = new Float32Array(columns * rows)
    for (let p = 0; p < masked.length; p++) masked[p] = input[p]! * mask[p]! + baseline * (1 - mask[p]!)
    masks.push(mask)
    inputs.push(masked)
  }
  const scores = await scoreAll(inputs, score, options)
  const saliency = new Float32Array(columns * rows)
  masks.forEach((mask, m) => {
    for (let p = 0; p < saliency.length; p++) saliency[p]! += scores[m]! * mask[p]!
  })
  return normaliseHeatmap(saliency)
}
