// For segmentation models: the per-pixel foreground probability, and its binary entropy
// (in bits: 0 where the model is sure, 1 where it is at 50/50), the uncertainty map.

export function binaryEntropy(probabilities: Float32Array): Float32Array {
  return Float32Array.from(probabilities, (p) => {
    if (p <= 0 || p >= 1) return 0
    return -(p * Math.log2(p) + (1 - p) * Math.log2(1 - p))
  })
}
