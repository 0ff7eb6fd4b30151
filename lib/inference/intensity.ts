// Intensity preprocessing of model inputs: clipping to fixed values or to percentiles, then
// min-max, z-score or linear scaling, as MONAI's ScaleIntensityRange(Percentiles) and
// NormalizeIntensity do. Shared by the inference worker and the CLI, so typed arrays and Math
// only, and every pass is a plain loop: volumes reach 256³ (16.7M voxels).

/** Clip to fixed bounds, or to percentiles (0..100) of the image's own values. */
export type IntensityClip = { kind: 'values'; min: number; max: number } | { kind: 'percentiles'; lower: number; upper: number }

/** `scale` maps v to (v − offset) × factor. */
export type Normalisation =
  { method: 'min-max'; outputRange?: [number, number] } | { method: 'z-score'; nonZeroOnly?: boolean } | { method: 'scale'; offset: number; factor: number }

/** Histogram bins per selection pass; few enough to stay in cache. */
const HISTOGRAM_BINS = 4096
/** A value range holding at most this many values is sorted rather than histogrammed again. */
const SORT_LIMIT = 1 << 16

/**
 * Exact percentiles (0..100) of the finite values in `data`, interpolated linearly between
 * neighbouring order statistics as numpy's default `np.percentile` does. NaN and ±Infinity are
 * ignored. Sorting a copy would cost a second volume of memory and seconds of time, so each
 * wanted order statistic is selected instead: a histogram of the value range finds the bin that
 * holds it, the next pass looks only inside that bin, and once a bin holds few values they are
 * sorted. Real images need one or two histogram passes between the min/max pass and the
 * passes that gather values to sort.
 */
export function percentileValues(data: ArrayLike<number>, percentiles: number[]): number[] {
  for (const percentile of percentiles) {
    if (!(percentile >= 0 && percentile <= 100)) throw new RangeError(`Percentile ${percentile} is outside 0..100`)
  }
  let count = 0
  let min = Infinity
  let max = -Infinity
  for (let i = 0; i < data.length; i++) {
    const value = data[i]!
    if (!Number.isFinite(value)) continue
    count++
    if (value < min) min = value
    if (value > max) max = value
  }
  if (count === 0) throw new RangeError('No finite values to take percentiles of')

  // Fractional rank of each percentile among the sorted values; it falls between two ranks.
  const positions = percentiles.map((percentile) => (percentile / 100) * (count - 1))
  const ranks = [...new Set(positions.flatMap((position) => [Math.floor(position), Math.ceil(position)]))].sort((a, b) => a - b)
  const valueAtRank = orderStatistics(data, ranks, { low: min, high: max, below: 0, count, ranks })
  return positions.map((position) => {
    const lowerRank = Math.floor(position)
    const lower = valueAtRank.get(lowerRank)!
    const fraction = position - lowerRank
    return fraction === 0 ? lower : lower + (valueAtRank.get(lowerRank + 1)! - lower) * fraction
  })
}

/** Clamps `data` in place to the clip's bounds (NaN stays NaN) and returns the bounds used. */
export function clipIntensities(data: Float32Array, clip: IntensityClip): { min: number; max: number } {
  const { min, max } = clipBounds(data, clip)
  if (!(min <= max)) throw new RangeError(`Clip minimum ${min} is above maximum ${max}`)
  for (let i = 0; i < data.length; i++) {
    const value = data[i]!
    if (value < min) data[i] = min
    else if (value > max) data[i] = max
  }
  return { min, max }
}

function clipBounds(data: Float32Array, clip: IntensityClip): { min: number; max: number } {
  if (clip.kind === 'values') return { min: clip.min, max: clip.max }
  if (!(clip.lower <= clip.upper)) throw new RangeError(`Lower percentile ${clip.lower} is above upper percentile ${clip.upper}`)
  const [min, max] = percentileValues(data, [clip.lower, clip.upper]) as [number, number]
  return { min, max }
}

/**
 * Normalises `data` in place. Statistics ignore NaN and ±Infinity. min-max maps the finite range
 * onto `outputRange` (default [0, 1]); an image with no spread becomes all `outputRange[0]`
 * rather than NaN. z-score uses the population standard deviation (as MONAI); `nonZeroOnly`
 * takes statistics over, and changes, only the non-zero voxels, so background stays 0. An image
 * with no spread becomes all zeros.
 */
export function normaliseIntensities(data: Float32Array, normalisation: Normalisation): void {
  switch (normalisation.method) {
    case 'min-max':
      return minMaxNormalise(data, normalisation.outputRange ?? [0, 1])
    case 'z-score':
      return zScoreNormalise(data, normalisation.nonZeroOnly ?? false)
    case 'scale': {
      const { offset, factor } = normalisation
      for (let i = 0; i < data.length; i++) data[i] = (data[i]! - offset) * factor
      return
    }
  }
}

function minMaxNormalise(data: Float32Array, [outputLow, outputHigh]: [number, number]): void {
  let min = Infinity
  let max = -Infinity
  for (let i = 0; i < data.length; i++) {
    const value = data[i]!
    if (!Number.isFinite(value)) continue
    if (value < min) min = value
    if (value > max) max = value
  }
  if (!(max > min)) {
    data.fill(outputLow)
    return
  }
  const factor = (outputHigh - outputLow) / (max - min)
  for (let i = 0; i < data.length; i++) data[i] = outputLow + (data[i]! - min) * factor
}

function zScoreNormalise(data: Float32Array, nonZeroOnly: boolean): void {
  // Two passes (mean, then squared deviations) in float64: one-pass sums of squares lose
  // precision badly on CT-like values over millions of voxels.
  let count = 0
  let sum = 0
  for (let i = 0; i < data.length; i++) {
    const value = data[i]!
    if (!Number.isFinite(value) || (nonZeroOnly && value === 0)) continue
    count++
    sum += value
  }
  if (count === 0) return
  const mean = sum / count
  let squaredDeviations = 0
  for (let i = 0; i < data.length; i++) {
    const value = data[i]!
    if (!Number.isFinite(value) || (nonZeroOnly && value === 0)) continue
    squaredDeviations += (value - mean) * (value - mean)
  }
  const sd = Math.sqrt(squaredDeviations / count)
  // sd 0 means every counted value equals the mean: write exact zeros, not rounding noise.
  const factor = sd > 0 ? 1 / sd : 0
  for (let i = 0; i < data.length; i++) {
    const value = data[i]!
    if (nonZeroOnly && value === 0) continue
    data[i] = (value - mean) * factor
  }
}

/** The finite values in [low, high]: `below` of them lie under `low`, `count` inside; `ranks` are wanted. */
interface ValueRange {
  low: number
  high: number
  below: number
  count: number
  ranks: number[]
}

/** Value of each wanted rank (0-based, ascending) among the finite values of `data`. */
function orderStatistics(data: ArrayLike<number>, ranks: number[], whole: ValueRange): Map<number, number> {
  const valueAtRank = new Map<number, number>()
  const binCounts = new Uint32Array(HISTOGRAM_BINS)
  // Actual extremes of each bin, so the next pass selects exactly the bin's values by comparison
  // rather than by recomputing bin boundaries, which rounding would blur.
  const binLows = new Float64Array(HISTOGRAM_BINS)
  const binHighs = new Float64Array(HISTOGRAM_BINS)
  const pending = [whole]
  for (let range = pending.pop(); range; range = pending.pop()) {
    if (range.low === range.high) {
      for (const rank of range.ranks) valueAtRank.set(rank, range.low)
      continue
    }
    if (range.count <= SORT_LIMIT) {
      const sorted = valuesWithin(data, range).sort()
      for (const rank of range.ranks) valueAtRank.set(rank, sorted[rank - range.below]!)
      continue
    }
    histogram(data, range, binCounts, binLows, binHighs)
    let below = range.below
    let rankIndex = 0
    for (let bin = 0; bin < HISTOGRAM_BINS && rankIndex < range.ranks.length; bin++) {
      const binCount = binCounts[bin]!
      const ranksInBin: number[] = []
      while (rankIndex < range.ranks.length && range.ranks[rankIndex]! < below + binCount) ranksInBin.push(range.ranks[rankIndex++]!)
      if (ranksInBin.length > 0) pending.push({ low: binLows[bin]!, high: binHighs[bin]!, below, count: binCount, ranks: ranksInBin })
      below += binCount
    }
  }
  return valueAtRank
}

/**
 * Counts the values in [low, high] into equal-width bins. The bin index is monotonic in the
 * value, so each bin's values are exactly those between its extremes, and `low` and `high` land
 * in different bins, so every pass narrows the range.
 */
function histogram(data: ArrayLike<number>, range: ValueRange, counts: Uint32Array, lows: Float64Array, highs: Float64Array): void {
  const { low, high } = range
  // Halving keeps high − low finite when the values span most of the float64 range.
  const shift = Number.isFinite(high - low) ? 1 : 0.5
  const shiftedLow = low * shift
  const width = high * shift - shiftedLow
  counts.fill(0)
  lows.fill(Infinity)
  highs.fill(-Infinity)
  for (let i = 0; i < data.length; i++) {
    const value = data[i]!
    // Also excludes NaN and ±Infinity: low and high are finite.
    if (!(value >= low && value <= high)) continue
    const bin = Math.min(HISTOGRAM_BINS - 1, Math.floor(((value * shift - shiftedLow) / width) * HISTOGRAM_BINS))
    counts[bin]!++
    if (value < lows[bin]!) lows[bin] = value
    if (value > highs[bin]!) highs[bin] = value
  }
}

function valuesWithin(data: ArrayLike<number>, { low, high, count }: ValueRange): Float64Array {
  const values = new Float64Array(count)
  let next = 0
  for (let i = 0; i < data.length; i++) {
    const value = data[i]!
    if (value >= low && value <= high) values[next++] = value
  }
  return values
}
