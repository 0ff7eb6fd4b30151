import { createHash } from 'node:crypto'
import { buildOnnxModel } from './onnx-builder'

// A tiny valid model (a ReLU over an 8×8 image) and a manifest for it, for registry tests:
// small enough to upload anywhere, real enough for the registry's ONNX and hash checks.

export const reluModelBytes = buildOnnxModel({
  inputs: [{ name: 'image', dims: [1, 1, 8, 8] }],
  outputs: [{ name: 'logits', dims: [1, 1, 8, 8] }],
  nodes: [{ opType: 'Relu', inputs: ['image'], outputs: ['logits'] }],
})

export const reluModelSha256 = createHash('sha256').update(reluModelBytes).digest('hex')

export function reluManifest(overrides: { id?: string; sha256?: string; output?: string } = {}) {
  const output = overrides.output ?? 'logits'
  return {
    version: '0.1.0',
    task: 'Test segmentation',
    description: 'A ReLU standing in for a model',
    authors: 'Parallax tests',
    intended_use: 'Tests only',
    network_data_format: {
      inputs: { image: { type: 'image', format: 'magnitude', num_channels: 1, spatial_shape: [8, 8], dtype: 'float32' } },
      outputs: { [output]: { type: 'logits', format: 'segmentation', num_channels: 1, spatial_shape: [8, 8], dtype: 'float32' } },
    },
    parallax: {
      id: overrides.id ?? 'relu-test',
      name: 'ReLU test',
      kind: 'segmentation',
      dimensionality: '2d',
      modalities: ['CT'],
      file: { name: 'model.onnx', sha256: overrides.sha256 ?? reluModelSha256 },
      input: 'image',
      output,
      preprocessing: { grid: 'native', normalisation: { method: 'scale', offset: 0, factor: 1 } },
      postprocessing: { activation: 'sigmoid', threshold: 0.5 },
      labels: [{ value: 1, name: 'Lesion', color: [255, 0, 0] }],
    },
  }
}
