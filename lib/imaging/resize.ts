// Resizing one image (rows × columns, row-major) to a model's input size and back. Pixel
// centres are aligned (half-pixel convention, as PyTorch's align_corners=False), so the
// training export and the app resample identically.

export function resizeBilinear(source: ArrayLike<number>, columns: number, rows: number, toColumns: number, toRows: number): Float32Array {
  const out = new Float32Array(toColumns * toRows)
  const scaleX = columns / toColumns
  const scaleY = rows / toRows
  for (let y = 0; y < toRows; y++) {
    const fy = Math.min(Math.max((y + 0.5) * scaleY - 0.5, 0), rows - 1)
    const y0 = Math.floor(fy)
    const y1 = Math.min(y0 + 1, rows - 1)
    const wy = fy - y0
    for (let x = 0; x < toColumns; x++) {
      const fx = Math.min(Math.max((x + 0.5) * scaleX - 0.5, 0), columns - 1)
      const x0 = Math.floor(fx)
      const x1 = Math.min(x0 + 1, columns - 1)
      const wx = fx - x0
      const top = source[y0 * columns + x0]! * (1 - wx) + source[y0 * columns + x1]! * wx
      const bottom = source[y1 * columns + x0]! * (1 - wx) + source[y1 * columns + x1]! * wx
      out[y * toColumns + x] = top * (1 - wy) + bottom * wy
    }
  }
  return out
}

export function resizeNearest<T extends Uint8Array | Float32Array>(source: T, columns: number, rows: number, toColumns: number, toRows: number): T {
  const out = new (source.constructor as { new (length: number): T })(toColumns * toRows)
  // The source column of each output column once, not per pixel; an output row that reads
  // the same source row as the one before is a copy of it (a 2D model's labels go up 4×
  // per side onto a 512² image, for every image of a series).
  const sourceColumn = new Int32Array(toColumns)
  for (let x = 0; x < toColumns; x++) sourceColumn[x] = Math.min(columns - 1, Math.floor(((x + 0.5) * columns) / toColumns))
  let previous = -1
  for (let y = 0; y < toRows; y++) {
    const sy = Math.min(rows - 1, Math.floor(((y + 0.5) * rows) / toRows))
    const row = y * toColumns
    if (sy === previous) {
      out.copyWithin(row, row - toColumns, row)
      continue
    }
    const from = sy * columns
    for (let x = 0; x < toColumns; x++) out[row + x] = source[from + sourceColumn[x]!]!
    previous = sy
  }
  return out
}
