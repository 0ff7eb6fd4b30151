// The model pipeline, identical in the browser worker and the CLI: pre-processing (grid,
// intensities), inference (whole volume or sliding window) through whatever runtime the
// caller hands in, post-processing, and the labels mapped back onto the series' images.
// Only the runtime differs (onnxruntime-web or onnxruntime-node), so the CLI is a fair
// reference for the browser.
import { conformGrid, resampleLabels, resampleVolume } from './conform'
import { clipIntensities, normaliseIntensities } from './intensity'
import type { ModelManifest } from './manifest'
import type { ModelOutput, SegmentationOutput } from './model-output'
import { argmaxChannels, labelVoxelCounts, removeSmallComponents, sigmoid, softmaxChannels, thresholdChannel } from './postprocess'
import { resizeBilinear, resizeNearest } from '../imaging/resize'
import type { SliceStackGeometry, Vec3 } from '../dicom/geometry'
import { labelsForImages, stackToVolume, type StackVolume } from './slice-stack'
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
  /** Awaited between images, tiles and stages; it throws to stop the run there (the worker's cancel). */
  checkpoint?: () => Promise<void>
}

export interface PipelineTimings {
  preprocessingMs: number
  inferenceMs: number
  postprocessingMs: number
}

export interface SegmentationResult {
  output: SegmentationOutput
  /** The grid the model saw. */
  modelGrid: VolumeGeometry
  timings: PipelineTimings
}

export interface SliceModelResult {
  output: ModelOutput
  timings: PipelineTimings
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
    await options.checkpoint?.()
    options.onProgress?.({ stage: 'inference', done: index, total: plan.starts.length })
    const window = extractWindow(input, grid.dimensions, start, plan.roi, tiling.padValue)
    const result = await session.run(asTensor(window, plan.roi), [output])
    accumulator.add(checkedOutput(result[output], channels * plan.roi[0] * plan.roi[1] * plan.roi[2], output), start)
  }
  options.onProgress?.({ stage: 'inference', done: plan.starts.length, total: plan.starts.length })
  return accumulator.result()
}

export function checkedOutput(tensor: TensorData | undefined, expectedLength: number, name: string): Float32Array {
  if (!tensor) throw new Error(`The model returned no "${name}" output`)
  if (tensor.data.length !== expectedLength)
    throw new Error(`The model's "${name}" output has ${tensor.data.length} values; ${expectedLength} expected (shape ${tensor.dims.join('×')})`)
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
  await options.checkpoint?.()

  started = clock()
  const output = await inferVolume(manifest, session, input, grid, options)
  const inferenceMs = clock() - started
  await options.checkpoint?.()

  started = clock()
  options.onProgress?.({ stage: 'postprocessing', done: 0, total: 1 })
  const modelLabels = labelsFromOutput(manifest, output, grid)
  const labels = labelsForImages(resampleLabels(modelLabels, grid, stack.volume), stack)
  const labelCount = Math.max(...manifest.parallax.labels.map((label) => label.value)) + 1
  const labelCounts = labelVoxelCounts(labels, labelCount)
  options.onProgress?.({ stage: 'postprocessing', done: 1, total: 1 })
  return {
    output: { kind: 'segmentation', labels, labelCounts, foreground: null },
    modelGrid: grid,
    timings: { preprocessingMs, inferenceMs, postprocessingMs: clock() - started },
  }
}

export interface SliceImage {
  /** Modality values, rows × columns, row-major. */
  pixels: Float32Array
  columns: number
  rows: number
}

/** One image prepared as a per-slice model's input (resized, clipped, normalised). */
export function prepareSliceInput(manifest: ModelManifest, image: SliceImage): { input: Float32Array; columns: number; rows: number } {
  const pre = manifest.parallax.preprocessing
  const [columns, rows] = pre.shape ? [pre.shape[0], pre.shape[1]] : [image.columns, image.rows]
  const input = columns === image.columns && rows === image.rows ? Float32Array.from(image.pixels) : resizeBilinear(image.pixels, image.columns, image.rows, columns, rows)
  if (pre.window) clipIntensities(input, { kind: 'values', min: pre.window.center - pre.window.width / 2, max: pre.window.center + pre.window.width / 2 })
  if (pre.clip) clipIntensities(input, pre.clip)
  normaliseIntensities(input, pre.normalisation)
  return { input, columns, rows }
}

/** The calibrated probability of each class from a classifier's logits. */
export function classProbabilities(manifest: ModelManifest, logits: Float32Array): number[] {
  const { activation, temperature } = manifest.parallax.postprocessing
  const scaled = Float32Array.from(logits, (value) => value / temperature)
  if (activation === 'sigmoid') return [...sigmoid(scaled)]
  if (activation === 'softmax') return [...softmaxChannels(scaled, scaled.length)]
  return [...scaled]
}

/** A 2D model over each image of a series, one image at a time. */
export async function runSliceModel(manifest: ModelManifest, images: readonly SliceImage[], session: ModelSession, options: RunOptions = {}): Promise<SliceModelResult> {
  if (manifest.parallax.dimensionality !== '2d') throw new Error(`${manifest.parallax.id} is not a per-slice model`)
  if (manifest.parallax.kind === 'interactive') throw new Error(`${manifest.parallax.id} is an interactive model: it answers clicks on a slice, not a run over a series`)
  const { output, kind, postprocessing: post, labels: labelDefs } = manifest.parallax
  const channels = manifest.network_data_format.outputs[output]!.num_channels
  const timings = { preprocessingMs: 0, inferenceMs: 0, postprocessingMs: 0 }
  const first = images[0]
  if (!first) throw new Error('The series has no images')
  const labels = new Uint8Array(kind === 'segmentation' ? images.length * first.columns * first.rows : 0)
  const probabilities: Float32Array[] = []
  const sliceProbabilities: number[][] = []
  let modelSize = { columns: first.columns, rows: first.rows }
  for (const [index, image] of images.entries()) {
    await options.checkpoint?.()
    options.onProgress?.({ stage: 'inference', done: index, total: images.length })
    let started = performance.now()
    const prepared = prepareSliceInput(manifest, image)
    modelSize = { columns: prepared.columns, rows: prepared.rows }
    timings.preprocessingMs += performance.now() - started
    started = performance.now()
    const result = (await session.run({ data: prepared.input, dims: [1, 1, prepared.rows, prepared.columns] }, [output]))[output]
    if (!result) throw new Error(`The model returned no "${output}" output`)
    timings.inferenceMs += performance.now() - started
    started = performance.now()
    if (kind === 'classification') {
      sliceProbabilities.push(classProbabilities(manifest, result.data))
    } else {
      const pixels = prepared.columns * prepared.rows
      const data = checkedOutput(result, channels * pixels, output)
      const scaled = post.temperature === 1 ? data : Float32Array.from(data, (value) => value / post.temperature)
      // The activation once, for both the labels and the foreground probability kept (the last channel, in a buffer of its own to transfer).
      const activated = post.activation === 'sigmoid' ? sigmoid(scaled) : softmaxChannels(scaled, channels)
      const modelLabels =
        post.activation === 'sigmoid' ? thresholdChannel(activated, channels, channels - 1, post.threshold ?? 0.5, labelDefs[0]!.value) : argmaxChannels(scaled, channels)
      if (post.minComponentVoxels > 0) removeSmallComponents(modelLabels, [prepared.columns, prepared.rows, 1], post.minComponentVoxels)
      probabilities.push(channels === 1 ? activated : activated.slice((channels - 1) * pixels))
      labels.set(resizeNearest(modelLabels, prepared.columns, prepared.rows, image.columns, image.rows), index * image.columns * image.rows)
    }
    timings.postprocessingMs += performance.now() - started
  }
  options.onProgress?.({ stage: 'inference', done: images.length, total: images.length })
  if (kind === 'classification') {
    const seriesProbabilities = sliceProbabilities[0]!.map((_, c) => Math.max(...sliceProbabilities.map((slice) => slice[c]!)))
    return { output: { kind, sliceProbabilities, seriesProbabilities }, timings }
  }
  const started = performance.now()
  const labelCount = Math.max(...labelDefs.map((label) => label.value)) + 1
  const labelCounts = labelVoxelCounts(labels, labelCount)
  timings.postprocessingMs += performance.now() - started
  return { output: { kind, labels, labelCounts, foreground: { probabilities, ...modelSize } }, timings }
}

/** A series as the viewer hands it to a model: its stack geometry and each image's position and modality values, in display order. */
export interface SeriesImages {
  geometry: SliceStackGeometry
  positions: Vec3[]
  /** Modality values per image, in the order of `positions`. */
  pixels: Float32Array[]
}

/** Any model on a series: per image for 2D models, as one volume for 3D ones. The worker and the CLI both run this. */
export async function runModelOnSeries(
  manifest: ModelManifest,
  series: SeriesImages,
  session: ModelSession,
  options: RunOptions = {},
): Promise<SliceModelResult | SegmentationResult> {
  const { geometry, positions, pixels } = series
  if (manifest.parallax.dimensionality === '2d') {
    return runSliceModel(
      manifest,
      pixels.map((values) => ({ pixels: values, columns: geometry.columns, rows: geometry.rows })),
      session,
      options,
    )
  }
  const stack = stackToVolume(
    geometry,
    positions.map((position, index) => ({ position, pixels: pixels[index]! })),
  )
  return segmentStack(manifest, stack, session, options)
}
