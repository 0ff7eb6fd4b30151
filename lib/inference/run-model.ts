// The model pipeline, identical in the browser worker and the CLI: pre-processing (grid,
// intensities), inference (whole volume or sliding window) through whatever runtime the
// caller hands in, post-processing, and the labels mapped back onto the series' images.
// Only the runtime differs (onnxruntime-web or onnxruntime-node), so the CLI is a fair
// reference for the browser.
import { conformGrid, resampleLabels, resampleVolume } from './conform'
import { clipIntensities, normaliseIntensities } from './intensity'
import type { ModelManifest } from './manifest'
import { argmaxChannels, labelVoxelCounts, removeSmallComponents, sigmoid, softmaxChannels, thresholdChannel } from './postprocess'
import { labelsForImages, type StackVolume } from './slice-stack'
import { extractWindow, planWindows, WindowAccumulator } from './sliding-window'
import { voxelCount, type Triple, type VolumeGeometry } from './volume'

export interface TensorData {
  data: Float32Array
  dims: readonly number[]
}

/** One loaded model in some runtime: feeds one float32 input, returns the named outputs. */
export interface ModelSession {
  run(input: TensorData, outputNames: readonly string[]): Promise<Record<string, TensorData>>
}

export type InferenceStage = 'preprocessing' | 'inference' | 'postprocessing'

export interface InferenceProgress {
  stage: InferenceStage
  /** Steps done of total within the stage (tiles for a sliding window). */
  done: number
  total: number
}

export interface RunOptions {
  onProgress?: (progress: InferenceProgress) => void
  signal?: AbortSignal
}

export interface SegmentationResult {
  /** One label per pixel of each input image, images in input order (rows × columns each). */
  labels: Uint8Array
  /** Voxels per label value (index = label value) over the input images. */
  labelCounts: number[]
  /** The grid the model saw. */
  modelGrid: VolumeGeometry
  timings: { preprocessingMs: number; inferenceMs: number; postprocessingMs: number }
}

export class InferenceCancelled extends Error {
  constructor() {
    super('Inference cancelled')
    this.name = 'InferenceCancelled'
  }
}

function throwIfAborted(signal: AbortSignal | undefined) {
  if (signal?.aborted) throw new InferenceCancelled()
}

/** Pre-processing alone: the float32 volume the model is fed, on the model's grid. */
export function prepareModelInput(manifest: ModelManifest, stack: StackVolume): { input: Float32Array; grid: VolumeGeometry } {
  const pre = manifest.parallax.preprocessing
  if (pre.grid !== 'conform') throw new Error(`${manifest.parallax.id}: whole-volume models need a conform grid`)
  const source = stack.volume
  const grid = conformGrid(source, pre)
  // Outside the scanned field the model should see the darkest value, not an invented 0.
  let minimum = Infinity
  for (let v = 0; v < source.data.length; v++) if (source.data[v]! < minimum) minimum = source.data[v]!
  const input = resampleVolume(source, grid, pre.interpolation, minimum)
  if (pre.window) clipIntensities(input, { kind: 'values', min: pre.window.center - pre.window.width / 2, max: pre.window.center + pre.window.width / 2 })
  if (pre.clip) clipIntensities(input, pre.clip)
  normaliseIntensities(input, pre.normalisation)
  return { input, grid }
}

/** Channel-first model output for the whole grid, tiled when the manifest asks for it. */
export async function inferVolume(manifest: ModelManifest, session: ModelSession, input: Float32Array, grid: VolumeGeometry, options: RunOptions = {}): Promise<Float32Array> {
  const { output, tiling } = manifest.parallax
  const channels = manifest.network_data_format.outputs[output]!.num_channels
  const [nx, ny, nz] = grid.dimensions
  const asTensor = (data: Float32Array, [x, y, z]: Triple): TensorData => ({ data, dims: [1, 1, z, y, x] })
  if (!tiling) {
    options.onProgress?.({ stage: 'inference', done: 0, total: 1 })
    const result = await session.run(asTensor(input, [nx, ny, nz]), [output])
    options.onProgress?.({ stage: 'inference', done: 1, total: 1 })
    return checkedOutput(result[output], channels * voxelCount(grid), output)
  }
  const plan = planWindows(grid.dimensions, tiling.roi, tiling.overlap)
  const accumulator = new WindowAccumulator(grid.dimensions, channels, tiling.roi, tiling.mode)
  for (const [index, start] of plan.starts.entries()) {
    throwIfAborted(options.signal)
    options.onProgress?.({ stage: 'inference', done: index, total: plan.starts.length })
    const window = extractWindow(input, grid.dimensions, start, plan.roi, tiling.padValue)
    const result = await session.run(asTensor(window, plan.roi), [output])
    accumulator.add(checkedOutput(result[output], channels * plan.roi[0] * plan.roi[1] * plan.roi[2], output), start)
  }
  options.onProgress?.({ stage: 'inference', done: plan.starts.length, total: plan.starts.length })
  return accumulator.result()
}

function checkedOutput(tensor: TensorData | undefined, expectedLength: number, name: string): Float32Array {
  if (!tensor) throw new Error(`The model returned no "${name}" output`)
  if (tensor.data.length !== expectedLength) throw new Error(`The model's "${name}" output has ${tensor.data.length} values; ${expectedLength} expected (shape ${tensor.dims.join('×')})`)
  return tensor.data
}

/** Labels on the model grid from its raw output, as the manifest's post-processing says. */
export function labelsFromOutput(manifest: ModelManifest, output: Float32Array, grid: VolumeGeometry): Uint8Array {
  const post = manifest.parallax.postprocessing
  const channels = manifest.network_data_format.outputs[manifest.parallax.output]!.num_channels
  let labels: Uint8Array
  if (post.activation === 'sigmoid') {
    const probabilities = sigmoid(output)
    labels = thresholdChannel(probabilities, channels, channels - 1, post.threshold ?? 0.5, manifest.parallax.labels[0]!.value)
  } else {
    // Softmax preserves the order of the logits, so argmax of the logits is the same labelling
    // without a second full-size array.
    labels = argmaxChannels(post.activation === 'softmax' && !post.argmax ? softmaxChannels(output, channels) : output, channels)
  }
  if (post.minComponentVoxels > 0) removeSmallComponents(labels, grid.dimensions, post.minComponentVoxels)
  return labels
}

/** A 3D segmentation model over a whole series: labels for each of its images. */
export async function segmentStack(manifest: ModelManifest, stack: StackVolume, session: ModelSession, options: RunOptions = {}): Promise<SegmentationResult> {
  if (manifest.parallax.kind !== 'segmentation' || manifest.parallax.dimensionality !== '3d') {
    throw new Error(`${manifest.parallax.id} is not a 3D segmentation model`)
  }
  const clock = () => performance.now()
  let started = clock()
  options.onProgress?.({ stage: 'preprocessing', done: 0, total: 1 })
  const { input, grid } = prepareModelInput(manifest, stack)
  const preprocessingMs = clock() - started
  throwIfAborted(options.signal)

  started = clock()
  const output = await inferVolume(manifest, session, input, grid, options)
  const inferenceMs = clock() - started
  throwIfAborted(options.signal)

  started = clock()
  options.onProgress?.({ stage: 'postprocessing', done: 0, total: 1 })
  const modelLabels = labelsFromOutput(manifest, output, grid)
  const labels = labelsForImages(resampleLabels(modelLabels, grid, stack.volume), stack)
  const labelCount = Math.max(...manifest.parallax.labels.map((label) => label.value)) + 1
  const labelCounts = labelVoxelCounts(labels, labelCount)
  options.onProgress?.({ stage: 'postprocessing', done: 1, total: 1 })
  return { labels, labelCounts, modelGrid: grid, timings: { preprocessingMs, inferenceMs, postprocessingMs: clock() - started } }
}
