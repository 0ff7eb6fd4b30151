// A model's raw forward pass on a small, reproducible input: the same numbers in every
// runtime (WebGPU, WASM, Node), so their outputs can be compared directly. Fully
// convolutional 3D models are checked on a reduced volume (their fixed spatial dims are
// relaxed, see onnx-model-io.ts), because an emulated GPU would take minutes at full size.
import type { ModelManifest } from './manifest'
import { relaxDims } from './onnx-model-io'
import type { TensorData } from './run-model'

/** Spatial edge of the reduced input for whole-volume models. */
export const CHECK_EDGE = 32

/** Deterministic uniform numbers in [0, 1) (mulberry32). */
export function seededUniform(count: number, seed: number): Float32Array {
  const out = new Float32Array(count)
  let state = seed >>> 0
  for (let i = 0; i < count; i++) {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    out[i] = ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  return out
}

export interface ModelCheckPlan {
  input: TensorData
  /** The model bytes to run: relaxed when the input is smaller than the declared shape. */
  model: Uint8Array
  description: string
}

export function planModelCheck(manifest: ModelManifest, model: Uint8Array): ModelCheckPlan {
  const format = manifest.network_data_format.inputs[manifest.parallax.input]!
  const channels = format.num_channels
  const declared = format.spatial_shape.map((dim) => (typeof dim === 'number' ? dim : CHECK_EDGE))
  const reduce = manifest.parallax.dimensionality === '3d' && declared.some((dim) => dim > CHECK_EDGE)
  const spatial = reduce ? declared.map(() => CHECK_EDGE) : declared
  // ONNX order is [N, C, (D,) H, W]; the manifest lists spatial dims in that order too.
  const dims = [1, channels, ...spatial]
  const [low, high] = format.value_range ?? [0, 1]
  const data = seededUniform(
    dims.reduce((product, dim) => product * dim, 1),
    20261127,
  ).map((value) => low + value * (high - low))
  return {
    input: { data, dims },
    model: reduce ? relaxDims(model, { fromAxis: 2 }) : model,
    description: `input ${dims.join('×')}, uniform in [${low}, ${high}], seed 20261127${reduce ? ` (declared ${declared.join('×')}; spatial dims relaxed)` : ''}`,
  }
}

export interface OutputComparison {
  maxAbsDifference: number
  meanAbsDifference: number
  /** Share of voxels whose argmax over channels agrees. */
  argmaxAgreement: number
}

export function compareOutputs(a: Float32Array, b: Float32Array, channels: number): OutputComparison {
  if (a.length !== b.length) throw new Error(`Outputs differ in size: ${a.length} and ${b.length}`)
  let max = 0
  let sum = 0
  for (let i = 0; i < a.length; i++) {
    const difference = Math.abs(a[i]! - b[i]!)
    sum += difference
    if (difference > max || Number.isNaN(difference)) max = Number.isNaN(difference) ? Infinity : difference
  }
  const voxels = a.length / channels
  let agree = 0
  for (let v = 0; v < voxels; v++) {
    let bestA = 0
    let bestB = 0
    for (let c = 1; c < channels; c++) {
      if (a[c * voxels + v]! > a[bestA * voxels + v]!) bestA = c
      if (b[c * voxels + v]! > b[bestB * voxels + v]!) bestB = c
    }
    if (bestA === bestB) agree++
  }
  return { maxAbsDifference: max, meanAbsDifference: sum / a.length, argmaxAgreement: voxels ? agree / voxels : 1 }
}
