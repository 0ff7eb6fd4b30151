// A model manifest: MONAI bundle metadata.json fields (so a MONAI export needs only the
// `parallax` block added) plus what a browser runtime needs to run the model unattended:
// where the ONNX file is and its SHA-256, pre-processing, tiling, post-processing, labels
// and the output that feeds explainability. Parsed with zod; every bad field is reported.
import { z } from 'zod'
import { modalityCodeSchema, modelRequirementsSchema } from '../quality/requirements'
import { findingLabelSchema } from '../vocabulary/finding-labels'

const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits (SHA-256)')
const positiveInt = z.number().int().positive()
const triple = z.tuple([z.number().positive(), z.number().positive(), z.number().positive()])
const intTriple = z.tuple([positiveInt, positiveInt, positiveInt])
const rgb = z.tuple([z.number().int().min(0).max(255), z.number().int().min(0).max(255), z.number().int().min(0).max(255)])
const modelId = z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'lowercase letters, digits and dashes, 2–63 characters')

/** MONAI `network_data_format` entry: one input or output tensor. */
const tensorFormat = z.object({
  type: z.enum(['image', 'probabilities', 'logits', 'feature-map', 'tensor']),
  format: z.string().min(1),
  modality: z.string().optional(),
  num_channels: positiveInt,
  /** Empty for a per-image output such as a class score. */
  spatial_shape: z.array(z.union([positiveInt, z.string()])).max(3),
  dtype: z.enum(['float32', 'float16', 'uint8', 'int64']),
  value_range: z.tuple([z.number(), z.number()]).optional(),
  is_patch_data: z.boolean().optional(),
  channel_def: z.record(z.string(), z.string()).optional(),
})

const intensityClip = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('values'), min: z.number(), max: z.number() }),
  z.object({ kind: z.literal('percentiles'), lower: z.number().min(0).max(100), upper: z.number().min(0).max(100) }),
])

const normalisation = z.discriminatedUnion('method', [
  z.object({ method: z.literal('min-max'), outputRange: z.tuple([z.number(), z.number()]).optional() }),
  z.object({ method: z.literal('z-score'), nonZeroOnly: z.boolean().optional() }),
  z.object({ method: z.literal('scale'), offset: z.number(), factor: z.number() }),
])

const preprocessing = z.object({
  /**
   * `conform`: resample the series into a fixed grid (shape × spacing, axes along
   * `orientation`, centred on the series), as FreeSurfer's conform does. `native`: the
   * series' own voxels, per slice for 2D models (resized to `shape` if given).
   */
  grid: z.enum(['conform', 'native']),
  /** Voxel axes as anatomical directions the axes point to, e.g. LIA (FreeSurfer), RAS, LPS. */
  orientation: z
    .string()
    .regex(/^[LR][AP][SI]$|^[LR][SI][AP]$|^[AP][LR][SI]$|^[AP][SI][LR]$|^[SI][LR][AP]$|^[SI][AP][LR]$/, 'three letters, one each of L/R, A/P, S/I')
    .optional(),
  spacing: triple.optional(),
  shape: intTriple.optional(),
  interpolation: z.enum(['linear', 'nearest']).default('linear'),
  window: z.object({ center: z.number(), width: z.number().positive() }).optional(),
  clip: intensityClip.optional(),
  normalisation,
})

const tiling = z.object({
  roi: intTriple,
  overlap: z.number().min(0).max(0.9),
  mode: z.enum(['constant', 'gaussian']).default('gaussian'),
  padValue: z.number().default(0),
})

const postprocessing = z.object({
  activation: z.enum(['softmax', 'sigmoid', 'none']),
  argmax: z.boolean().default(true),
  /** For sigmoid outputs: probability at or above which a voxel is labelled. */
  threshold: z.number().min(0).max(1).optional(),
  /** Connected components smaller than this (voxels) are removed from each label. */
  minComponentVoxels: z.number().int().min(0).default(0),
  /** Temperature scaling (fitted on validation data): logits are divided by it before the activation. */
  temperature: z.number().positive().default(1),
  /** Classification: calibrated probability at or above which the finding is called positive (the operating point). */
  decisionThreshold: z.number().min(0).max(1).optional(),
})

const label = z.object({
  value: z.number().int().min(0).max(255),
  name: z.string().min(1),
  color: rgb,
  /** The finding a reader reviews where the model gives this label; labels without one (tissue classes) propose none. */
  finding: findingLabelSchema.optional(),
})

const modelFile = z
  .object({
    name: z
      .string()
      .regex(/^[\w.-]+\.onnx$/, 'a plain file name ending in .onnx')
      .optional(),
    url: z.url().optional(),
    sha256,
    bytes: positiveInt.optional(),
  })
  .refine((file) => file.name !== undefined || file.url !== undefined, { message: 'give the file name or a URL' })

/**
 * An interactive (click-guided) model's input channels and how a click is drawn into them:
 * a Gaussian disk (σ `clickSigma`, cut off at `clickRadius`, both in model pixels), the
 * maximum where disks overlap; `previous` is the segment's mask before the click (0/1).
 */
const interaction = z.object({
  channels: z.object({ image: z.number().int().min(0), positive: z.number().int().min(0), negative: z.number().int().min(0), previous: z.number().int().min(0).optional() }),
  clickSigma: z.number().positive(),
  clickRadius: z.number().positive(),
})

const parallaxExtension = z
  .object({
    id: modelId,
    name: z.string().min(1).max(120),
    kind: z.enum(['segmentation', 'classification', 'interactive']),
    dimensionality: z.enum(['2d', '3d']),
    modalities: z.array(modalityCodeSchema).min(1),
    /** What a series must be for the result to be trusted (lib/quality checks it). */
    requirements: modelRequirementsSchema.optional(),
    file: modelFile,
    input: z.string().min(1),
    output: z.string().min(1),
    preprocessing,
    tiling: tiling.optional(),
    postprocessing,
    labels: z.array(label).min(1),
    /** Interactive models only: what their input channels hold. */
    interaction: interaction.optional(),
    /**
     * What feeds explainability: a feature map (for CAM, with the name of the final linear
     * layer's weight initializer, and EigenCAM) or the output probabilities (segmentation).
     */
    explainability: z.object({ output: z.string().min(1), kind: z.enum(['feature-map', 'probabilities']), linearWeights: z.string().min(1).optional() }).optional(),
  })
  .superRefine((ext, ctx) => {
    if (ext.preprocessing.grid === 'conform' && (!ext.preprocessing.shape || !ext.preprocessing.spacing || !ext.preprocessing.orientation)) {
      ctx.addIssue({ code: 'custom', path: ['preprocessing'], message: 'a conform grid needs shape, spacing and orientation' })
    }
    if (ext.dimensionality === '2d' && ext.tiling) ctx.addIssue({ code: 'custom', path: ['tiling'], message: 'tiling applies to 3D models only' })
    if (ext.kind === 'interactive') {
      if (!ext.interaction) ctx.addIssue({ code: 'custom', path: ['interaction'], message: 'an interactive model needs its interaction block' })
      if (ext.dimensionality !== '2d') ctx.addIssue({ code: 'custom', path: ['dimensionality'], message: 'interactive models are 2D (one slice per click)' })
      if (ext.postprocessing.activation !== 'sigmoid')
        ctx.addIssue({ code: 'custom', path: ['postprocessing', 'activation'], message: 'an interactive model gives a sigmoid foreground' })
    } else if (ext.interaction) {
      ctx.addIssue({ code: 'custom', path: ['interaction'], message: 'only interactive models take clicks' })
    }
    if (ext.postprocessing.activation === 'sigmoid' && ext.postprocessing.threshold === undefined && ext.kind !== 'classification') {
      ctx.addIssue({ code: 'custom', path: ['postprocessing', 'threshold'], message: 'a sigmoid segmentation needs a threshold' })
    }
    const values = ext.labels.map((entry) => entry.value)
    if (new Set(values).size !== values.length) ctx.addIssue({ code: 'custom', path: ['labels'], message: 'label values must be unique' })
  })

export const modelManifestSchema = z
  .object({
    schema: z.string().optional(),
    version: z.string().regex(/^\d+\.\d+\.\d+([-+][\w.]+)?$/, 'a semantic version such as 1.0.0'),
    task: z.string().min(1),
    description: z.string().min(1),
    authors: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
    intended_use: z.string().min(1),
    references: z.array(z.string()).default([]),
    copyright: z.string().optional(),
    license: z.string().optional(),
    network_data_format: z.object({ inputs: z.record(z.string(), tensorFormat), outputs: z.record(z.string(), tensorFormat) }),
    parallax: parallaxExtension,
  })
  .superRefine((manifest, ctx) => {
    const { inputs, outputs } = manifest.network_data_format
    const ext = manifest.parallax
    if (!inputs[ext.input]) ctx.addIssue({ code: 'custom', path: ['parallax', 'input'], message: `"${ext.input}" is not one of network_data_format.inputs` })
    if (ext.interaction && inputs[ext.input]) {
      const indices = Object.values(ext.interaction.channels).filter((index) => index !== undefined)
      const channels = inputs[ext.input]!.num_channels
      if (new Set(indices).size !== indices.length || indices.some((index) => index >= channels)) {
        ctx.addIssue({ code: 'custom', path: ['parallax', 'interaction', 'channels'], message: `channels must be distinct and below the input's ${channels}` })
      }
    }
    if (!outputs[ext.output]) ctx.addIssue({ code: 'custom', path: ['parallax', 'output'], message: `"${ext.output}" is not one of network_data_format.outputs` })
    if (ext.explainability && !outputs[ext.explainability.output]) {
      ctx.addIssue({ code: 'custom', path: ['parallax', 'explainability', 'output'], message: `"${ext.explainability.output}" is not one of network_data_format.outputs` })
    }
  })

export type ModelManifest = z.infer<typeof modelManifestSchema>
export type ModelPreprocessing = ModelManifest['parallax']['preprocessing']
export type ModelPostprocessing = ModelManifest['parallax']['postprocessing']
export type ModelTiling = NonNullable<ModelManifest['parallax']['tiling']>
export type ModelLabel = ModelManifest['parallax']['labels'][number]
export type ModelInteraction = NonNullable<ModelManifest['parallax']['interaction']>

export interface ManifestIssue {
  /** Dotted path of the bad field, e.g. "parallax.file.sha256". */
  field: string
  message: string
}

/** A manifest that does not validate; `issues` names every bad field. */
export class ManifestError extends Error {
  constructor(readonly issues: ManifestIssue[]) {
    super(`Invalid model manifest: ${issues.map((issue) => `${issue.field || '(root)'}: ${issue.message}`).join('; ')}`)
    this.name = 'ManifestError'
  }
}

export function parseManifest(value: unknown): ModelManifest {
  const result = modelManifestSchema.safeParse(value)
  if (result.success) return result.data
  throw new ManifestError(result.error.issues.map((issue) => ({ field: issue.path.map(String).join('.'), message: issue.message })))
}
