import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { classActivationMap, eigenCam } from './cam'
import { heatmapPeak, normaliseHeatmap } from './heatmap'
import { occlusionSensitivity, rise, type BatchScore } from './perturbation'
import { binaryEntropy } from './uncertainty'

// A toy "model" whose score is the mean input inside a known square: every faithful
// method must point into that square.
const size = 32
const target = { x0: 20, y0: 6, x1: 26, y1: 12 }
const inTarget = (p: number) => {
  const x = p % size
  const y = Math.floor(p / size)
  return x >= target.x0 && x < target.x1 && y >= target.y0 && y < target.y1
}
const toyScore: BatchScore = async (inputs, count) =>
  Float32Array.from({ length: count }, (_, n) => {
    let sum = 0
    for (let p = 0; p < size * size; p++) if (inTarget(p)) sum += inputs[n * size * size + p]!
    return sum / 36
  })
const image = new Float32Array(size * size).fill(1)

describe('CAM and EigenCAM', () => {
  // Two channels on a 4×4 grid: channel 0 lights cell (2, 1), channel 1 lights cell (0, 3).
  const features = new Float32Array(2 * 16)
  features[1 * 4 + 2] = 5
  features[16 + 3 * 4 + 0] = 5

  it('CAM weighs channels by the linear weights and keeps only positive evidence', () => {
    const map = classActivationMap(features, 2, Float32Array.from([1, -1]))
    assert.deepEqual(heatmapPeak({ values: map, columns: 4, rows: 4 }), { column: 2, row: 1, value: 1 })
    assert.equal(map[3 * 4 + 0], 0)
    assert.throws(() => classActivationMap(features, 2, Float32Array.from([1])), /one weight per channel/)
  })

  it('EigenCAM follows the dominant activation, with a sign that agrees with it', () => {
    const strong = Float32Array.from(features)
    strong[1 * 4 + 2] = 9
    const map = eigenCam(strong, 2)
    assert.equal(heatmapPeak({ values: map, columns: 4, rows: 4 }).column, 2)
    assert.ok(map.every((value) => value >= 0 && value <= 1))
  })
})

describe('perturbation methods on a model with a known answer', () => {
  it('occlusion sensitivity peaks inside the region the score depends on', async () => {
    const map = await occlusionSensitivity(image, toyScore, { columns: size, rows: size, baseline: 0, patch: 4, stride: 2 })
    const peak = heatmapPeak({ values: map, columns: size, rows: size })
    assert.ok(inTarget(peak.row * size + peak.column), JSON.stringify(peak))
  })

  it('RISE peaks inside it too, reports progress and is reproducible', async () => {
    const progress: number[] = []
    const options = { columns: size, rows: size, baseline: 0, masks: 300, grid: 4, seed: 3, batchSize: 50, onProgress: (done: number) => progress.push(done) }
    const map = await rise(image, toyScore, options)
    const peak = heatmapPeak({ values: map, columns: size, rows: size })
    assert.ok(inTarget(peak.row * size + peak.column), JSON.stringify(peak))
    assert.deepEqual(progress, [50, 100, 150, 200, 250, 300])
    assert.deepEqual(await rise(image, toyScore, { ...options, onProgress: undefined }), map)
  })
})

describe('heatmaps and uncertainty', () => {
  it('normalises to 0..1 and leaves a constant map at 0', () => {
    assert.deepEqual([...normaliseHeatmap(Float32Array.from([2, 4, 6]))], [0, 0.5, 1])
    assert.deepEqual([...normaliseHeatmap(Float32Array.from([3, 3]))], [0, 0])
  })

  it('entropy is 1 bit at 50/50 and 0 when certain', () => {
    assert.deepEqual([...binaryEntropy(Float32Array.from([0, 0.5, 1]))], [0, 1, 0])
  })
})
