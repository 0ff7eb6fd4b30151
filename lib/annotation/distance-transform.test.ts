import assert from 'node:assert/strict'
import { test } from 'node:test'
import { squaredDistanceTransform } from './distance-transform'

function bruteForce(feature: Uint8Array, dims: number[], spacing: number[]): Float64Array {
  const coordinates = (index: number) => dims.map((_, axis) => Math.floor(index / dims.slice(0, axis).reduce((a, b) => a * b, 1)) % dims[axis]!)
  const features = [...feature.keys()].filter((index) => feature[index]).map(coordinates)
  return Float64Array.from(feature, (_, index) => {
    const here = coordinates(index)
    return Math.min(...features.map((there) => here.reduce((sum, c, axis) => sum + ((c - there[axis]!) * spacing[axis]!) ** 2, 0)))
  })
}

test('one feature: squared distances in millimetres on anisotropic spacing', () => {
  const feature = new Uint8Array(5 * 3)
  feature[1 * 5 + 2] = 1 // column 2, row 1
  const distance = squaredDistanceTransform(feature, [5, 3], [0.5, 2])
  assert.equal(distance[1 * 5 + 2], 0)
  assert.equal(distance[1 * 5 + 4], 1) // 2 columns × 0.5 mm
  assert.equal(distance[0 * 5 + 0], 1 + 4) // (2 × 0.5)² + 2²
  assert.equal(distance[2 * 5 + 3], 0.25 + 4)
})

test('matches a brute-force search on random 2D and 3D masks, and gives Infinity without features', () => {
  let seed = 7
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31
  for (const [dims, spacing] of [
    [
      [13, 9],
      [0.7, 1.9],
    ],
    [
      [6, 5, 7],
      [1, 0.5, 3],
    ],
  ] as const) {
    const total = dims.reduce((a, b) => a * b, 1)
    const feature = Uint8Array.from({ length: total }, () => (random() < 0.08 ? 1 : 0))
    const fast = squaredDistanceTransform(feature, dims, spacing)
    const slow = bruteForce(feature, [...dims], [...spacing])
    for (let index = 0; index < total; index++) assert.ok(Math.abs(fast[index]! - slow[index]!) < 1e-9, `element ${index}: ${fast[index]} vs ${slow[index]}`)
  }
  assert.ok(squaredDistanceTransform(new Uint8Array(6), [3, 2], [1, 1]).every((d) => d === Infinity))
})
