import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { buildRefineInput, maskFromLogits, parseRefineInput, RefineInputError, toModelPixel } from './interactive'
import { ManifestError, parseManifest } from './manifest'
import { prepareSliceInput } from './run-model'
import { largestRegion, nextSimulatedClick, regionCentre } from './simulated-clicks'

const raw = JSON.parse(readFileSync(new URL('../../models/nodule-click-2d/manifest.json', import.meta.url), 'utf8')) as { parallax: Record<string, unknown> }
const manifest = parseManifest(raw)
const area = 128 * 128

/** Channel `c` of a built input. */
const channel = (data: Float32Array, c: number) => data.subarray(c * area, (c + 1) * area)

function argmax(values: Float32Array): { column: number; row: number } {
  let best = 0
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i
  return { column: best % 128, row: Math.floor(best / 128) }
}

/** How many pixels of the disk lie on its row and on its column through the peak. */
function diskExtent(values: Float32Array, peak: { column: number; row: number }) {
  let across = 0
  let down = 0
  for (let i = 0; i < 128; i++) {
    if (values[peak.row * 128 + i]! > 0) across++
    if (values[i * 128 + peak.column]! > 0) down++
  }
  return { across, down }
}

const slice = (columns: number, rows: number) => Float32Array.from({ length: columns * rows }, (_, i) => -1000 + (i % 1400))

describe('interactive model input', () => {
  it('puts the image, each click kind and the previous mask in the channels the manifest names', () => {
    const pixels = slice(256, 256)
    const previous = Uint8Array.from({ length: 256 * 256 }, (_, i) => (i % 256 < 128 ? 1 : 0))
    const input = buildRefineInput(manifest, { pixels, columns: 256, rows: 256, clicks: [{ column: 100, row: 60, positive: true }], previous })
    assert.deepEqual(input.dims, [1, 4, 128, 128])
    assert.deepEqual(channel(input.data, 0), prepareSliceInput(manifest, { pixels, columns: 256, rows: 256 }).input)
    // Slice pixel 100 is model pixel 49.75 (half-pixel convention): the peak is the nearest, 50; row 60 → 29.75 → 30.
    assert.deepEqual(argmax(channel(input.data, 1)), { column: 50, row: 30 })
    assert.ok(Math.abs(channel(input.data, 1)[30 * 128 + 50]! - Math.exp(-(0.25 ** 2 * 2) / 8)) < 1e-6)
    assert.ok(
      channel(input.data, 2).every((value) => value === 0),
      'no negative click, no negative disk',
    )
    const mask = channel(input.data, 3)
    assert.equal(mask[10 * 128 + 20], 1)
    assert.equal(mask[10 * 128 + 100], 0)
  })

  it('draws a negative click in the negative channel only, the maximum where disks overlap', () => {
    const input = buildRefineInput(manifest, {
      pixels: slice(128, 128),
      columns: 128,
      rows: 128,
      clicks: [
        { column: 40, row: 40, positive: false },
        { column: 42, row: 40, positive: false },
      ],
    })
    assert.ok(channel(input.data, 1).every((value) => value === 0))
    const negative = channel(input.data, 2)
    assert.equal(negative[40 * 128 + 40], 1)
    assert.equal(negative[40 * 128 + 42], 1)
    assert.ok(Math.abs(negative[40 * 128 + 41]! - Math.exp(-1 / 8)) < 1e-6)
    assert.equal(negative[40 * 128 + 49], 0, 'cut off beyond the radius (6 model pixels)')
    assert.ok(
      channel(input.data, 3).every((value) => value === 0),
      'no previous mask: empty',
    )
  })

  it('maps clicks on an anisotropic slice through the same resize as the pixels, and the disk stays round in model pixels', () => {
    // 256 columns × 64 rows: a column is half a model pixel, a row two.
    const input = buildRefineInput(manifest, { pixels: slice(256, 64), columns: 256, rows: 64, clicks: [{ column: 128, row: 16, positive: true }] })
    assert.equal(toModelPixel(128, 256, 128), 63.75)
    assert.equal(toModelPixel(16, 64, 128), 32.5)
    const positive = channel(input.data, 1)
    const peak = argmax(positive)
    assert.equal(peak.column, 64)
    assert.ok(peak.row === 32 || peak.row === 33)
    const { across, down } = diskExtent(positive, peak)
    assert.ok(Math.abs(across - down) <= 1, `round in model pixels: ${across} across, ${down} down`)
  })

  it('refuses clicks outside the slice and masks of the wrong size', () => {
    const pixels = slice(64, 64)
    assert.throws(() => buildRefineInput(manifest, { pixels, columns: 64, rows: 64, clicks: [{ column: 64, row: 3, positive: true }] }), RefineInputError)
    assert.throws(() => buildRefineInput(manifest, { pixels, columns: 64, rows: 64, clicks: [], previous: new Uint8Array(10) }), RefineInputError)
  })

  it('checks a refine request at the worker boundary', () => {
    const good = { slice: { pixels: new Float32Array(4), columns: 2, rows: 2 }, clicks: [{ column: 0, row: 1, positive: true }], previous: null }
    assert.equal(parseRefineInput(good).columns, 2)
    assert.throws(() => parseRefineInput({ ...good, clicks: [] }), /clicks: give at least one click/)
    assert.throws(() => parseRefineInput({ ...good, slice: { ...good.slice, pixels: [1, 2, 3, 4] } }), /slice\.pixels/)
    assert.throws(() => parseRefineInput({ ...good, clicks: [{ column: 'a', row: 0, positive: true }] }), RefineInputError)
  })

  it('thresholds the logits resized to the slice', () => {
    const logits = Float32Array.from({ length: 4 }, (_, i) => (i === 0 ? 3 : -3))
    assert.deepEqual([...maskFromLogits(manifest, logits, 2, 2, 2, 2)], [1, 0, 0, 0])
    assert.equal(maskFromLogits(manifest, logits, 2, 2, 4, 4).length, 16)
  })
})

describe('interactive model manifest', () => {
  const issues = (change: (parallax: Record<string, unknown>) => void) => {
    const copy = structuredClone(raw)
    change(copy.parallax)
    try {
      parseManifest(copy)
    } catch (error) {
      assert.ok(error instanceof ManifestError)
      return error.issues.map((issue) => issue.field)
    }
    assert.fail('accepted')
  }

  it('needs the interaction block, 2D and channels within the input', () => {
    assert.ok(issues((p) => delete p.interaction).includes('parallax.interaction'))
    assert.ok(issues((p) => (p.dimensionality = '3d')).includes('parallax.dimensionality'))
    assert.ok(issues((p) => ((p.interaction as { channels: { previous: number } }).channels.previous = 4)).includes('parallax.interaction.channels'))
    assert.ok(issues((p) => ((p.interaction as { channels: { negative: number } }).channels.negative = 1)).includes('parallax.interaction.channels'))
    assert.ok(issues((p) => (p.kind = 'segmentation')).includes('parallax.interaction'))
  })
})

describe('simulated clicks (DeepGrow)', () => {
  const columns = 10
  const rows = 8
  const rectangle = (c0: number, r0: number, c1: number, r1: number, into = new Uint8Array(columns * rows)) => {
    for (let r = r0; r <= r1; r++) for (let c = c0; c <= c1; c++) into[r * columns + c] = 1
    return into
  }

  it('clicks first at the centre of the largest region of the truth', () => {
    const truth = rectangle(0, 0, 1, 1, rectangle(4, 2, 8, 6))
    assert.equal(largestRegion(truth, columns, rows).length, 25)
    assert.deepEqual(nextSimulatedClick(truth, null, columns, rows), { column: 6, row: 4, positive: true })
  })

  it('clicks next in the largest error: negative in a false positive, none when there is no error', () => {
    const truth = rectangle(4, 2, 8, 6)
    const predicted = rectangle(0, 0, 2, 2, Uint8Array.from(truth))
    assert.deepEqual(nextSimulatedClick(truth, predicted, columns, rows), { column: 1, row: 1, positive: false })
    assert.equal(nextSimulatedClick(truth, truth, columns, rows), null)
    assert.deepEqual(regionCentre(largestRegion(rectangle(0, 0, 0, 0), columns, rows), columns, rows), { column: 0, row: 0 })
  })
})
