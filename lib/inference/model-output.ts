// What a model run produces, the same from the browser worker and the CLI: a segmentation's
// labels, or a classifier's probabilities. Each kind carries only its own fields, so none
// is null just because the model is of the other kind.

/** The foreground probability per image, at the model's resolution (columns × rows, row-major). */
export interface ForegroundProbabilities {
  probabilities: Float32Array[]
  columns: number
  rows: number
}

export interface SegmentationOutput {
  kind: 'segmentation'
  /** One label per pixel of each input image, images in input order (rows × columns each). */
  labels: Uint8Array
  /** Pixels per label value (index = label value) over the input images. */
  labelCounts: number[]
  /** Per-slice models give it; whole-volume models do not. */
  foreground: ForegroundProbabilities | null
}

export interface ClassificationOutput {
  kind: 'classification'
  /** Calibrated probabilities per image (per class), images in input order. */
  sliceProbabilities: number[][]
  /** Per class, for the series: the highest slice's. */
  seriesProbabilities: number[]
}

export type ModelOutput = SegmentationOutput | ClassificationOutput

/** The buffers a worker can transfer instead of copying when it posts an output (each once: a repeat fails the post). */
export function outputTransferables(output: ModelOutput): ArrayBuffer[] {
  if (output.kind === 'classification') return []
  const buffers = [output.labels.buffer, ...(output.foreground?.probabilities.map((slice) => slice.buffer) ?? [])]
  return [...new Set(buffers as ArrayBuffer[])]
}

/** Pixels of one label value; a classifier labels none. */
export function labelCount(output: ModelOutput, value: number): number {
  return output.kind === 'segmentation' ? (output.labelCounts[value] ?? 0) : 0
}
