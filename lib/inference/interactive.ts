// The interactive (click-guided) model's pipeline, identical in the browser worker and in
// Node (tests, bench): one slice's pixels, the clicks on it and the segment's previous mask
// become the model's input channels (models/train/train_interactive.py draws the clicks the
// same way), one forward pass, and the foreground comes back as a 0/1 mask on the slice.
import { z } from 'zod'
import { resizeBilinear } from '../imaging/resize'
import type { ModelInteraction, ModelManifest } from './manifest'
import { checkedOutput, prepareSliceInput, type ModelSession, type TensorData } from './run-model'

/** A click on one slice, in its pixel coordinates (continuous; pixel centres at integers). */
export const sliceClickSchema = z.object({ column: z.number().finite(), row: z.number().finite(), positive: z.boolean() })
export type SliceClick = z.infer<typeof sliceClickSchema>

export interface RefineInput {
  /** Modality values, rows × columns, row-major. */
  pixels: Float32Array
  columns: number
  rows: number
  clicks: readonly SliceClick[]
  /** The segment on this slice before the click (0/1, rows × columns); none: empty. */
  previous?: Uint8Array | null
}

/** What reaches the worker from the page, checked there: a manifest parsed elsewhere says nothing about these. */
const refineFieldsSchema = z.object({
  slice: z.object({ pixels: z.instanceof(Float32Array), columns: z.number().int().positive(), rows: z.number().int().positive() }),
  clicks: z.array(sliceClickSchema).min(1, 'give at least one click').max(200),
  previous: z.instanceof(Uint8Array).nullable(),
})

/** The slice, clicks and previous mask of a refine request, checked; throws RefineInputError naming every bad field. */
export function parseRefineInput(value: unknown): RefineInput {
  const result = refineFieldsSchema.safeParse(value)
  if (!result.success)
    throw new RefineInputError(`Invalid refine request: ${result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ')}`)
  const { slice, clicks, previous } = result.data
  return { ...slice, clicks, previous }
}

export interface RefineResult {
  /** 0/1 per pixel of the slice, rows × columns. */
  mask: Uint8Array
  foregroundPixels: number
  timings: { preprocessingMs: number; inferenceMs: number; postprocessingMs: number }
}

export class RefineInputError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'RefineInputError'
  }
}

/** The model-pixel position of a slice pixel position: the half-pixel convention of lib/imaging/resize.ts. */
export function toModelPixel(value: number, from: number, to: number): number {
  return ((value + 0.5) * to) / from - 0.5
}

/** Draws Gaussian disks (σ and cut-off radius in model pixels) at the given points into `map` (columns × rows), keeping the maximum. */
export function drawClickDisks(map: Float32Array, columns: number, rows: number, points: readonly { column: number; row: number }[], sigma: number, radius: number): void {
  for (const point of points) {
    const rowFrom = Math.max(0, Math.ceil(point.row - radius))
    const rowTo = Math.min(rows - 1, Math.floor(point.row + radius))
    const columnFrom = Math.max(0, Math.ceil(point.column - radius))
    const columnTo = Math.min(columns - 1, Math.floor(point.column + radius))
    for (let row = rowFrom; row <= rowTo; row++) {
      for (let column = columnFrom; column <= columnTo; column++) {
        const d2 = (row - point.row) ** 2 + (column - point.column) ** 2
        if (d2 > radius * radius) continue
        const value = Math.exp(-d2 / (2 * sigma * sigma))
        const index = row * columns + column
        if (value > map[index]!) map[index] = value
      }
    }
  }
}

function interactionOf(manifest: ModelManifest): ModelInteraction {
  const { kind, interaction, id } = manifest.parallax
  if (kind !== 'interactive' || !interaction) throw new RefineInputError(`${id} is not an interactive model`)
  return interaction
}

/** The model's input tensor [1, channels, rows, columns] for one slice, its clicks and its previous mask. */
export function buildRefineInput(manifest: ModelManifest, input: RefineInput): TensorData {
  const interaction = interactionOf(manifest)
  const { pixels, columns, rows, clicks, previous } = input
  if (pixels.length !== columns * rows) throw new RefineInputError(`The slice has ${pixels.length} pixels; ${columns}×${rows} expected`)
  if (previous && previous.length !== columns * rows) throw new RefineInputError(`The previous mask has ${previous.length} pixels; ${columns}×${rows} expected`)
  for (const click of clicks) {
    if (click.column < -0.5 || click.row < -0.5 || click.column > columns - 0.5 || click.row > rows - 0.5) {
      throw new RefineInputError(`A click (${click.column}, ${click.row}) lies outside the ${columns}×${rows} slice`)
    }
  }
  const image = prepareSliceInput(manifest, { pixels, columns, rows })
  const area = image.columns * image.rows
  const channelCount = manifest.network_data_format.inputs[manifest.parallax.input]!.num_channels
  const data = new Float32Array(channelCount * area)
  const { channels, clickSigma, clickRadius } = interaction
  data.set(image.input, channels.image * area)
  for (const positive of [true, false]) {
    const points = clicks
      .filter((click) => click.positive === positive)
      .map((click) => ({ column: toModelPixel(click.column, columns, image.columns), row: toModelPixel(click.row, rows, image.rows) }))
    drawClickDisks(
      data.subarray((positive ? channels.positive : channels.negative) * area, ((positive ? channels.positive : channels.negative) + 1) * area),
      image.columns,
      image.rows,
      points,
      clickSigma,
      clickRadius,
    )
  }
  if (previous && channels.previous !== undefined) {
    const resized = image.columns === columns && image.rows === rows ? Float32Array.from(previous) : resizeBilinear(previous, columns, rows, image.columns, image.rows)
    const target = data.subarray(channels.previous * area, (channels.previous + 1) * area)
    for (let i = 0; i < area; i++) target[i] = resized[i]! >= 0.5 ? 1 : 0
  }
  return { data, dims: [1, channelCount, image.rows, image.columns] }
}

/** The slice's mask from the model's logits: resized to the slice (bilinear, in logits), then thresholded. */
export function maskFromLogits(manifest: ModelManifest, logits: Float32Array, modelColumns: number, modelRows: number, columns: number, rows: number): Uint8Array {
  const { threshold = 0.5, temperature } = manifest.parallax.postprocessing
  const cut = Math.log(threshold / (1 - threshold)) * temperature
  const resized = modelColumns === columns && modelRows === rows ? logits : resizeBilinear(logits, modelColumns, modelRows, columns, rows)
  return Uint8Array.from(resized, (value) => (value >= cut ? 1 : 0))
}

/** One click's refinement: the slice's new mask from its clicks so far and its previous mask. */
export async function refineSlice(manifest: ModelManifest, session: ModelSession, input: RefineInput): Promise<RefineResult> {
  let started = performance.now()
  const tensor = buildRefineInput(manifest, input)
  const [, , modelRows, modelColumns] = tensor.dims as [number, number, number, number]
  const preprocessingMs = performance.now() - started
  started = performance.now()
  const { output } = manifest.parallax
  const result = await session.run(tensor, [output])
  const logits = checkedOutput(result[output], modelColumns * modelRows, output)
  const inferenceMs = performance.now() - started
  started = performance.now()
  const mask = maskFromLogits(manifest, logits, modelColumns, modelRows, input.columns, input.rows)
  let foregroundPixels = 0
  for (const value of mask) foregroundPixels += value
  return { mask, foregroundPixels, timings: { preprocessingMs, inferenceMs, postprocessingMs: performance.now() - started } }
}
