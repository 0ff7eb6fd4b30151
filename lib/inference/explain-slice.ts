// Explains one image's result with the method the reader picked, using only the model's
// own outputs and forward passes (no gradients, so it runs on WebGPU or WASM alike).
// Every heatmap comes back at the image's own resolution, scaled to 0..1.
import type { ModelManifest } from './manifest'
import { readFloatInitializer } from './onnx-model-io'
import { resizeBilinear } from '../imaging/resize'
import { prepareSliceInput, type ModelSession, type SliceImage } from './run-model'
import { sigmoid } from './postprocess'
import { classActivationMap, eigenCam } from '../explain/cam'
import { normaliseHeatmap, type Heatmap } from '../explain/heatmap'
import { occlusionSensitivity, rise, type BatchScore } from '../explain/perturbation'
import { binaryEntropy } from '../explain/uncertainty'

export type ExplainMethod = 'cam' | 'eigencam' | 'occlusion' | 'rise' | 'probability' | 'entropy'

export const methodLabels: Record<ExplainMethod, string> = {
  cam: 'CAM',
  eigencam: 'EigenCAM',
  occlusion: 'Occlusion sensitivity',
  rise: 'RISE',
  probability: 'Probability',
  entropy: 'Uncertainty (entropy)',
}

/** The methods a model supports, best first. */
export function methodsFor(manifest: ModelManifest): ExplainMethod[] {
  const explain = manifest.parallax.explainability
  const methods: ExplainMethod[] = []
  if (manifest.parallax.kind === 'classification') {
    if (explain?.kind === 'feature-map' && explain.linearWeights) methods.push('cam')
    if (explain?.kind === 'feature-map') methods.push('eigencam')
  } else {
    methods.push('probability', 'entropy')
  }
  if (manifest.parallax.dimensionality === '2d') methods.push('occlusion', 'rise')
  return methods
}

export interface ExplainOptions {
  onProgress?: (done: number, total: number) => void
  /** Awaited between forward passes; it throws to stop there (the worker's cancel). */
  checkpoint?: () => Promise<void>
}

export async function explainSlice(
  manifest: ModelManifest,
  model: Uint8Array,
  session: ModelSession,
  image: SliceImage,
  method: ExplainMethod,
  options: ExplainOptions = {},
): Promise<Heatmap> {
  if (!methodsFor(manifest).includes(method)) throw new Error(`${methodLabels[method]} does not apply to ${manifest.parallax.name}`)
  const { input, columns, rows } = prepareSliceInput(manifest, image)
  const { output, explainability, postprocessing } = manifest.parallax
  const run = (data: Float32Array, count: number, names: string[]) => session.run({ data, dims: [count, 1, rows, columns] }, names)
  let map: Float32Array
  let mapColumns = columns
  let mapRows = rows
  if (method === 'cam' || method === 'eigencam') {
    const features = (await run(input, 1, [explainability!.output]))[explainability!.output]
    if (!features || features.dims.length !== 4) throw new Error('The model returned no feature map')
    const [, channels, height, width] = features.dims as [number, number, number, number]
    map = method === 'cam' ? classActivationMap(features.data, channels, readFloatInitializer(model, explainability!.linearWeights!).values) : eigenCam(features.data, channels)
    mapColumns = width
    mapRows = height
  } else if (method === 'probability' || method === 'entropy') {
    const logits = (await run(input, 1, [output]))[output]!.data
    const probability = sigmoid(Float32Array.from(logits, (value) => value / postprocessing.temperature))
    map = method === 'probability' ? probability : normaliseHeatmap(binaryEntropy(probability))
  } else {
    const score = await scoreFunction(manifest, input, run)
    // What the model sees as "nothing": the normalised value of air (the clip's lower bound).
    const baseline = 0
    const perturbation = { columns, rows, baseline, onProgress: options.onProgress, checkpoint: options.checkpoint }
    map = method === 'occlusion' ? await occlusionSensitivity(input, score, perturbation) : await rise(input, score, perturbation)
  }
  return { values: normaliseHeatmap(resizeBilinear(map, mapColumns, mapRows, image.columns, image.rows)), columns: image.columns, rows: image.rows }
}

/**
 * The score perturbations act on. For a classifier, the positive class's logit: its
 * probability saturates near 1 on a clear finding, so most perturbations would change
 * nothing measurable. For a segmentation, the mean probability over what it segments on
 * the intact image.
 */
async function scoreFunction(
  manifest: ModelManifest,
  input: Float32Array,
  run: (data: Float32Array, count: number, names: string[]) => ReturnType<ModelSession['run']>,
): Promise<BatchScore> {
  const { output, kind, postprocessing } = manifest.parallax
  if (kind === 'classification') {
    return async (inputs, count) => {
      const logits = (await run(inputs, count, [output]))[output]!.data
      const perImage = logits.length / count
      return Float32Array.from({ length: count }, (_, n) => logits[n * perImage + perImage - 1]!)
    }
  }
  const pixels = input.length
  const reference = sigmoid((await run(input, 1, [output]))[output]!.data)
  const region = Uint8Array.from(reference, (p) => (p >= (postprocessing.threshold ?? 0.5) ? 1 : 0))
  const regionSize = region.reduce((sum, value) => sum + value, 0)
  return async (inputs, count) => {
    const probabilities = sigmoid((await run(inputs, count, [output]))[output]!.data)
    return Float32Array.from({ length: count }, (_, n) => {
      let sum = 0
      for (let p = 0; p < pixels; p++) sum += regionSize ? probabilities[n * pixels + p]! * region[p]! : probabilities[n * pixels + p]!
      return sum / (regionSize || pixels)
    })
  }
}
