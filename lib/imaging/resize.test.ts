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

it('nearest: the same pixels as the per-pixel formula, up and down and at odd ratios', () => {
  const reference = (source: Uint8Array, columns: number, rows: number, toColumns: number, toRows: number) =>
    Array.from({ length: toColumns * toRows }, (_, index) => {
      const x = index % toColumns
      const y = Math.floor(index / toColumns)
      const sy = Math.min(rows - 1, Math.floor(((y + 0.5) * rows) / toRows))
      return source[sy * columns + Math.min(columns - 1, Math.floor(((x + 0.5) * columns) / toColumns))]!
    })
  for (const [columns, rows, toColumns, toRows] of [
    [5, 3, 7, 11],
    [7, 9, 3, 2],
    [128, 128, 512, 512],
    [4, 4, 4, 4],
  ] as const) {
    const source = Uint8Array.from({ length: columns * rows }, (_, index) => (index * 37) % 251)
    assert.deepEqual([...resizeNearest(source, columns, rows, toColumns, toRows)], reference(source, columns, rows, toColumns, toRows))
  }
})
