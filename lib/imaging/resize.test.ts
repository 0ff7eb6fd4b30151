import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { resizeBilinear, resizeNearest } from './resize'

describe('resize', () => {
  it('keeps an image of the same size unchanged', () => {
    const image = Float32Array.from({ length: 12 }, (_, i) => i * 1.5)
    assert.deepEqual(resizeBilinear(image, 4, 3, 4, 3), image)
  })

  it('halves by averaging 2×2 blocks of a linear ramp (pixel centres aligned)', () => {
    const image = Float32Array.from({ length: 16 }, (_, i) => (i % 4) + 10 * Math.floor(i / 4))
    assert.deepEqual([...resizeBilinear(image, 4, 4, 2, 2)], [5.5, 7.5, 25.5, 27.5])
  })

  it('maps labels back without inventing values', () => {
    const labels = Uint8Array.from([0, 1, 2, 3])
    assert.deepEqual([...resizeNearest(labels, 2, 2, 4, 4)], [0, 0, 1, 1, 0, 0, 1, 1, 2, 2, 3, 3, 2, 2, 3, 3])
  })
})
