// A heatmap is a Float32Array over an image's pixels (row-major), scaled to 0..1 so that
// every method shares one colour scale.

export interface Heatmap {
  values: Float32Array
  columns: number
  rows: number
}

/** Scales to 0..1 in place (a constant map becomes all zeros). */
export function normaliseHeatmap(values: Float32Array): Float32Array {
  let low = Infinity
  let high = -Infinity
  for (const value of values) {
    if (value < low) low = value
    if (value > high) high = value
  }
  const range = high - low
  for (let i = 0; i < values.length; i++) values[i] = range > 0 ? (values[i]! - low) / range : 0
  return values
}

/** Pixel (column, row) of the maximum (the first one, scanning row by row). */
export function heatmapPeak(heatmap: Heatmap): { column: number; row: number; value: number } {
  let best = 0
  for (let i = 1; i < heatmap.values.length; i++) if (heatmap.values[i]! > heatmap.values[best]!) best = i
  return { column: best % heatmap.columns, row: Math.floor(best / heatmap.columns), value: heatmap.values[best]! }
}
