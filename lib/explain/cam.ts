// Class activation maps. CAM (Zhou et al. 2016) weighs the last feature map's channels by
// the final linear layer's weights, which is exact for a global-average-pooling head.
// EigenCAM (Muhammad & Yeasin 2020) needs no weights: it projects the feature map onto its
// first principal component, signed so that it agrees with the mean activation.
import { normaliseHeatmap } from './heatmap'

/** CAM on the feature grid: ReLU(Σ_c w_c · F_c), normalised. `features` is [channels, height·width]. */
export function classActivationMap(features: Float32Array, channels: number, weights: Float32Array): Float32Array {
  if (weights.length !== channels) throw new Error(`CAM needs one weight per channel: ${weights.length} weights for ${channels} channels`)
  const cells = features.length / channels
  const map = new Float32Array(cells)
  for (let c = 0; c < channels; c++) {
    const weight = weights[c]!
    for (let p = 0; p < cells; p++) map[p]! += weight * features[c * cells + p]!
  }
  for (let p = 0; p < cells; p++) if (map[p]! < 0) map[p] = 0
  return normaliseHeatmap(map)
}

/** EigenCAM on the feature grid: the projection on the first principal component of the channels. */
export function eigenCam(features: Float32Array, channels: number, iterations = 100): Float32Array {
  const cells = features.length / channels
  // Channel means, then the channels × channels covariance of the centred activations.
  const means = new Float64Array(channels)
  for (let c = 0; c < channels; c++) {
    let sum = 0
    for (let p = 0; p < cells; p++) sum += features[c * cells + p]!
    means[c] = sum / cells
  }
  const covariance = new Float64Array(channels * channels)
  for (let a = 0; a < channels; a++) {
    for (let b = a; b < channels; b++) {
      let sum = 0
      for (let p = 0; p < cells; p++) sum += (features[a * cells + p]! - means[a]!) * (features[b * cells + p]! - means[b]!)
      covariance[a * channels + b] = covariance[b * channels + a] = sum / cells
    }
  }
  // Power iteration from a fixed start: deterministic.
  let vector = new Float64Array(channels).fill(1 / Math.sqrt(channels))
  for (let iteration = 0; iteration < iterations; iteration++) {
    const next = new Float64Array(channels)
    for (let a = 0; a < channels; a++) for (let b = 0; b < channels; b++) next[a]! += covariance[a * channels + b]! * vector[b]!
    const norm = Math.hypot(...next)
    if (norm === 0) break
    vector = next.map((value) => value / norm)
  }
  const map = new Float32Array(cells)
  for (let p = 0; p < cells; p++) {
    let projection = 0
    for (let c = 0; c < channels; c++) projection += (features[c * cells + p]! - means[c]!) * vector[c]!
    map[p] = projection
  }
  // A principal component's sign is arbitrary: orient it along the mean activation.
  let agreement = 0
  for (let p = 0; p < cells; p++) {
    let activation = 0
    for (let c = 0; c < channels; c++) activation += features[c * cells + p]!
    agreement += map[p]! * activation
  }
  if (agreement < 0) for (let p = 0; p < cells; p++) map[p] = -map[p]!
  for (let p = 0; p < cells; p++) if (map[p]! < 0) map[p] = 0
  return normaliseHeatmap(map)
}
