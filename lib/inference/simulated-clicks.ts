// DeepGrow's simulated user, as models/train/train_interactive.py trains and evaluates the
// interactive model with it: the first click at the centre of the largest region of the
// ground truth, each next one at the centre of the largest error region (positive in a
// missed part, negative in a false positive). "Centre": the pixel furthest from the region's
// boundary, the first in raster order on a tie. For the tests, the bench and the demo.
import type { SliceClick } from './interactive'

/** The largest 4-connected region of `mask` (rows × columns, non-zero = inside), as pixel indices; empty when there is none. */
export function largestRegion(mask: ArrayLike<number>, columns: number, rows: number): number[] {
  const seen = new Uint8Array(columns * rows)
  let best: number[] = []
  for (let start = 0; start < seen.length; start++) {
    if (!mask[start] || seen[start]) continue
    const region = [start]
    seen[start] = 1
    for (let n = 0; n < region.length; n++) {
      const index = region[n]!
      const column = index % columns
      const neighbours = [column > 0 ? index - 1 : -1, column < columns - 1 ? index + 1 : -1, index - columns, index + columns]
      for (const next of neighbours) {
        if (next < 0 || next >= seen.length || seen[next] || !mask[next]) continue
        seen[next] = 1
        region.push(next)
      }
    }
    if (region.length > best.length) best = region
  }
  return best
}

/** The region's pixel furthest (Euclidean) from any pixel outside it, the image's surroundings counting as outside. */
export function regionCentre(region: readonly number[], columns: number, rows: number): { column: number; row: number } {
  const inside = new Set(region)
  // The nearest outside pixel always touches the region (8-neighbourhood), so those suffice.
  const outside: [number, number][] = []
  const added = new Set<number>()
  for (const index of region) {
    const column = index % columns
    const row = Math.floor(index / columns)
    for (let dr = -1; dr <= 1; dr++) {
      for (let dc = -1; dc <= 1; dc++) {
        const c = column + dc
        const r = row + dr
        const key = (r + 1) * (columns + 2) + (c + 1)
        if (added.has(key)) continue
        if (c >= 0 && r >= 0 && c < columns && r < rows && inside.has(r * columns + c)) continue
        added.add(key)
        outside.push([c, r])
      }
    }
  }
  let best = { column: 0, row: 0, index: Infinity, distance: -1 }
  for (const index of region) {
    const column = index % columns
    const row = Math.floor(index / columns)
    let nearest = Infinity
    for (const [c, r] of outside) nearest = Math.min(nearest, (c - column) ** 2 + (r - row) ** 2)
    if (nearest > best.distance || (nearest === best.distance && index < best.index)) best = { column, row, index, distance: nearest }
  }
  return { column: best.column, row: best.row }
}

/** The simulated user's next click, or null when the prediction has no error left. */
export function nextSimulatedClick(truth: Uint8Array, predicted: Uint8Array | null, columns: number, rows: number): SliceClick | null {
  if (!predicted) {
    const region = largestRegion(truth, columns, rows)
    return region.length ? { ...regionCentre(region, columns, rows), positive: true } : null
  }
  const missed = Uint8Array.from(truth, (value, index) => (value && !predicted[index] ? 1 : 0))
  const extra = Uint8Array.from(predicted, (value, index) => (value && !truth[index] ? 1 : 0))
  const falseNegative = largestRegion(missed, columns, rows)
  const falsePositive = largestRegion(extra, columns, rows)
  if (!falseNegative.length && !falsePositive.length) return null
  const positive = falseNegative.length >= falsePositive.length
  return { ...regionCentre(positive ? falseNegative : falsePositive, columns, rows), positive }
}

/** Dice of two 0/1 masks; 1 when both are empty. */
export function maskDice(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let both = 0
  let total = 0
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ? 1 : 0
    const y = b[i] ? 1 : 0
    both += x & y
    total += x + y
  }
  return total === 0 ? 1 : (2 * both) / total
}
