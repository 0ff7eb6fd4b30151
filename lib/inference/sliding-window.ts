// Sliding-window inference over a volume too large for one model call, with the semantics of
// MONAI's `sliding_window_inference`: fixed-size windows overlapping by a fraction, the last
// flush with the end of each axis, each window's output weighted by an importance map
// (constant or Gaussian) and the weighted outputs averaged. A volume with an axis of size 1 is
// 2D along that axis. Sizes and origins are (x, y, z); a volume [nx, ny, nz] holds voxel
// (x, y, z) at x + nx × (y + ny × z), and window outputs are channel-first over the window.
// Shared by the inference worker and the CLI, so typed arrays and Math only.

type Triple = [number, number, number]

/** The window size and the origin of every window, in volume coordinates. */
export interface WindowPlan {
  roi: Triple
  starts: Triple[]
}

/** MONAI's default Gaussian sigma, as a fraction of the window size along each axis. */
const DEFAULT_SIGMA_SCALE = 0.125
/** Floor on Gaussian weights (MONAI's), so voxels near a window's edge still count where only that window reaches. */
const MIN_GAUSSIAN_WEIGHT = 1e-3

/**
 * Windows of size `roi` covering the volume. Along each axis consecutive origins step by
 * max(1, ⌊roi × (1 − overlap)⌋) from 0, and the last window is flush with the end. An axis
 * shorter than the window gets one window centred on it, with a negative origin: as MONAI pads
 * ⌊(roi − size) / 2⌋ voxels before and the rest after, and `extractWindow` fills that padding
 * with a constant. Windows run x fastest, then y, then z.
 */
export function planWindows(dimensions: Triple, roi: Triple, overlap: number): WindowPlan {
  assertSize(dimensions, 'Volume dimensions')
  assertSize(roi, 'Window size')
  if (!(overlap >= 0 && overlap < 1)) throw new RangeError(`Overlap ${overlap} is outside [0, 1)`)
  const xStarts = startsAlongAxis(dimensions[0], roi[0], overlap)
  const yStarts = startsAlongAxis(dimensions[1], roi[1], overlap)
  const zStarts = startsAlongAxis(dimensions[2], roi[2], overlap)
  const starts: Triple[] = []
  for (const z of zStarts) for (const y of yStarts) for (const x of xStarts) starts.push([x, y, z])
  return { roi: [...roi], starts }
}

function startsAlongAxis(size: number, roi: number, overlap: number): number[] {
  // ⌈(size − roi) / 2⌉ is −⌊(roi − size) / 2⌋, and +0 rather than −0 when they are equal.
  if (size <= roi) return [Math.ceil((size - roi) / 2)]
  const step = Math.max(1, Math.floor(roi * (1 - overlap)))
  const starts: number[] = []
  for (let start = 0; start + roi < size; start += step) starts.push(start)
  starts.push(size - roi)
  return starts
}

/**
 * Per-voxel weight of a window's output, laid out like the window. Gaussian as MONAI: per axis
 * exp(−d² / 2σ²) with d the distance from the window centre and σ = sigmaScale × roi, the
 * product normalised to a maximum of 1 and clamped below at 1e-3.
 */
export function importanceMap(roi: Triple, mode: 'constant' | 'gaussian', sigmaScale = DEFAULT_SIGMA_SCALE): Float32Array {
  assertSize(roi, 'Window size')
  const [rx, ry, rz] = roi
  const map = new Float32Array(rx * ry * rz)
  if (mode === 'constant') return map.fill(1)
  if (!(sigmaScale > 0)) throw new RangeError(`Sigma scale ${sigmaScale} is not positive`)
  const xProfile = gaussianProfile(rx, sigmaScale)
  const yProfile = gaussianProfile(ry, sigmaScale)
  const zProfile = gaussianProfile(rz, sigmaScale)
  let i = 0
  for (let z = 0; z < rz; z++) {
    for (let y = 0; y < ry; y++) {
      const yz = yProfile[y]! * zProfile[z]!
      for (let x = 0; x < rx; x++) map[i++] = Math.max(MIN_GAUSSIAN_WEIGHT, xProfile[x]! * yz)
    }
  }
  return map
}

/** Gaussian along one axis, peaking at 1 so that the product of three peaks at exactly 1. */
function gaussianProfile(size: number, sigmaScale: number): Float64Array {
  const sigma = sigmaScale * size
  const centre = (size - 1) / 2
  const profile = new Float64Array(size)
  let peak = 0
  for (let i = 0; i < size; i++) {
    profile[i] = Math.exp(-((i - centre) ** 2) / (2 * sigma * sigma))
    peak = Math.max(peak, profile[i]!)
  }
  for (let i = 0; i < size; i++) profile[i] = profile[i]! / peak
  return profile
}

/** The window of size `roi` at `start` (x fastest), with `padValue` wherever it lies outside the volume. */
export function extractWindow(volume: Float32Array, dimensions: Triple, start: Triple, roi: Triple, padValue: number): Float32Array {
  const [nx, ny, nz] = dimensions
  const [rx, ry, rz] = roi
  if (volume.length !== nx * ny * nz) throw new RangeError(`${volume.length} values for a ${nx}×${ny}×${nz} volume`)
  const window = new Float32Array(rx * ry * rz)
  const [x0, x1, y0, y1, z0, z1] = overlapWith(dimensions, start, roi)
  if (x1 - x0 < rx || y1 - y0 < ry || z1 - z0 < rz) window.fill(padValue)
  if (x0 === x1) return window
  // Rows along x are contiguous in both arrays, so each is one block copy.
  for (let z = z0; z < z1; z++) {
    for (let y = y0; y < y1; y++) {
      const source = x0 + nx * (y + ny * z)
      window.set(volume.subarray(source, source + x1 - x0), x0 - start[0] + rx * (y - start[1] + ry * (z - start[2])))
    }
  }
  return window
}

/**
 * Accumulates window outputs into their importance-weighted average over the volume. Sums are
 * float32, as MONAI's for float32 inputs: float64 would double memory (a 3-channel 256³ output
 * is already 200 MB), and the averages still agree with the outputs to float32 rounding.
 */
export class WindowAccumulator {
  private readonly dimensions: Triple
  private readonly channels: number
  private readonly roi: Triple
  private readonly voxelCount: number
  private readonly windowVoxelCount: number
  private readonly weights: Float32Array
  /** Channel-first weighted sums; divided in place by `weightTotals` in `result`. */
  private readonly sums: Float32Array
  private readonly weightTotals: Float32Array
  private finished = false

  constructor(dimensions: Triple, channels: number, roi: Triple, mode: 'constant' | 'gaussian', sigmaScale = DEFAULT_SIGMA_SCALE) {
    assertSize(dimensions, 'Volume dimensions')
    if (!Number.isInteger(channels) || channels < 1) throw new RangeError(`Channel count ${channels} is not a positive integer`)
    this.dimensions = [...dimensions]
    this.channels = channels
    this.roi = [...roi]
    this.weights = importanceMap(roi, mode, sigmaScale)
    this.voxelCount = dimensions[0] * dimensions[1] * dimensions[2]
    this.windowVoxelCount = this.weights.length
    this.sums = new Float32Array(channels * this.voxelCount)
    this.weightTotals = new Float32Array(this.voxelCount)
  }

  /** Adds one window's channel-first output, for the window at `start`; the part outside the volume (padding) is dropped. */
  add(windowOutput: Float32Array, start: Triple): void {
    if (this.finished) throw new Error('WindowAccumulator: add after result')
    if (windowOutput.length !== this.channels * this.windowVoxelCount) {
      throw new RangeError(`Window output has ${windowOutput.length} values, expected ${this.channels} channels × ${this.windowVoxelCount} voxels`)
    }
    const [nx, ny] = this.dimensions
    const [rx, ry] = this.roi
    const [x0, x1, y0, y1, z0, z1] = overlapWith(this.dimensions, start, this.roi)
    const { sums, weightTotals, weights, voxelCount, windowVoxelCount, channels } = this
    for (let z = z0; z < z1; z++) {
      for (let y = y0; y < y1; y++) {
        let voxel = x0 + nx * (y + ny * z)
        let windowVoxel = x0 - start[0] + rx * (y - start[1] + ry * (z - start[2]))
        for (let x = x0; x < x1; x++, voxel++, windowVoxel++) {
          const weight = weights[windowVoxel]!
          weightTotals[voxel] = weightTotals[voxel]! + weight
          for (let channel = 0; channel < channels; channel++) {
            const index = channel * voxelCount + voxel
            sums[index] = sums[index]! + weight * windowOutput[channel * windowVoxelCount + windowVoxel]!
          }
        }
      }
    }
  }

  /**
   * The channel-first weighted average. It is computed in place in the accumulator's own buffer
   * (no second copy of the output), so the accumulator cannot be used afterwards.
   */
  result(): Float32Array {
    if (this.finished) throw new Error('WindowAccumulator: result already taken')
    this.finished = true
    const { sums, weightTotals, voxelCount, channels } = this
    for (let voxel = 0; voxel < voxelCount; voxel++) {
      const total = weightTotals[voxel]!
      if (total === 0) throw new Error(`Voxel ${voxel} is not covered by any window`)
      for (let channel = 0; channel < channels; channel++) {
        const index = channel * voxelCount + voxel
        sums[index] = sums[index]! / total
      }
    }
    return sums
  }
}

/** The part of the window at `start` inside the volume, as [x0, x1, y0, y1, z0, z1] (ends exclusive; an axis it misses gives an empty range). */
function overlapWith(dimensions: Triple, start: Triple, roi: Triple): [number, number, number, number, number, number] {
  const range = (axis: 0 | 1 | 2) => {
    const begin = Math.max(0, start[axis])
    return [begin, Math.max(begin, Math.min(dimensions[axis], start[axis] + roi[axis]))] as const
  }
  const [x0, x1] = range(0)
  const [y0, y1] = range(1)
  const [z0, z1] = range(2)
  return [x0, x1, y0, y1, z0, z1]
}

function assertSize(size: Triple, name: string): void {
  if (!size.every((extent) => Number.isInteger(extent) && extent >= 1)) throw new RangeError(`${name} ${size.join('×')} are not positive integers`)
}
