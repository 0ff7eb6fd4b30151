// A series arrives as images at measured positions; the pipeline needs a regular grid.
// Images are placed along the slice normal at round(distance / median step), and a missing
// slice (a gap in the series) is interpolated from its neighbours, so the grid's geometry
// is true everywhere. The browser and the CLI both build their volume here, from the same
// decoded modality values, so they feed the model the same numbers.
import type { DicomInstance } from '../dicom/types'
import { type ScalarVolume, type Vec3 } from './volume'

export interface SliceStackGeometry {
  columns: number
  rows: number
  /** mm between adjacent columns (PixelSpacing[1]) and adjacent rows (PixelSpacing[0]). */
  columnSpacing: number
  rowSpacing: number
  /** Direction of increasing column index (ImageOrientationPatient 0–2) and row index (3–5). */
  rowDirection: Vec3
  columnDirection: Vec3
}

/** The in-plane geometry of a series from its first image, or null when it lacks orientation or spacing. */
export function stackGeometryOf(first: DicomInstance): SliceStackGeometry | null {
  const orientation = first.imageOrientationPatient
  if (!orientation || !first.pixelSpacing) return null
  return {
    columns: first.columns,
    rows: first.rows,
    rowSpacing: first.pixelSpacing[0],
    columnSpacing: first.pixelSpacing[1],
    rowDirection: [orientation[0], orientation[1], orientation[2]],
    columnDirection: [orientation[3], orientation[4], orientation[5]],
  }
}

export interface ImageSlice {
  /** ImagePositionPatient: centre of the first pixel. */
  position: Vec3
  /** Modality values (rescale applied), rows × columns, row-major. */
  pixels: ArrayLike<number>
}

export interface StackVolume {
  volume: ScalarVolume
  /** For each input image, in input order, its k index in the volume. */
  sliceOfImage: number[]
  /** Slices of the grid no image fills (interpolated). */
  interpolatedSlices: number[]
}

const cross = (a: Vec3, b: Vec3): Vec3 => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]]
const dot = (a: Vec3, b: Vec3) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2]

export function stackToVolume(geometry: SliceStackGeometry, images: readonly ImageSlice[]): StackVolume {
  const { columns, rows } = geometry
  const sliceSize = columns * rows
  if (images.length === 0) throw new Error('A volume needs at least one image')
  for (const image of images) {
    if (image.pixels.length !== sliceSize) throw new Error(`An image has ${image.pixels.length} pixels; ${sliceSize} expected`)
  }
  const normal = cross(geometry.rowDirection, geometry.columnDirection)
  const distances = images.map((image) => dot(image.position, normal))
  const order = distances.map((_, index) => index).sort((a, b) => distances[a]! - distances[b]!)
  const steps = order.slice(1).map((image, n) => distances[image]! - distances[order[n]!]!).filter((step) => step > 1e-3)
  const spacing = steps.length ? [...steps].sort((a, b) => a - b)[Math.floor(steps.length / 2)]! : 1
  const first = order[0]!
  const sliceOfImage = distances.map((distance) => Math.round((distance - distances[first]!) / spacing))
  const depth = Math.max(...sliceOfImage) + 1

  const data = new Float32Array(sliceSize * depth)
  const filled = new Uint8Array(depth)
  for (const [index, image] of images.entries()) {
    const k = sliceOfImage[index]!
    if (filled[k]) continue
    data.set(image.pixels, k * sliceSize)
    filled[k] = 1
  }
  const interpolatedSlices: number[] = []
  for (let k = 0; k < depth; k++) {
    if (filled[k]) continue
    interpolatedSlices.push(k)
    let below = k - 1
    while (!filled[below]) below--
    let above = k + 1
    while (!filled[above]) above++
    const weight = (k - below) / (above - below)
    for (let p = 0; p < sliceSize; p++) {
      data[k * sliceSize + p] = data[below * sliceSize + p]! * (1 - weight) + data[above * sliceSize + p]! * weight
    }
  }
  const volume: ScalarVolume = {
    dimensions: [columns, rows, depth],
    spacing: [geometry.columnSpacing, geometry.rowSpacing, spacing],
    origin: [...images[first]!.position],
    axes: [geometry.rowDirection, geometry.columnDirection, normal],
    data,
  }
  return { volume, sliceOfImage, interpolatedSlices }
}

/** Picks each input image's slice out of a label volume on the stack's grid, in input order. */
export function labelsForImages(labels: Uint8Array, stack: StackVolume): Uint8Array {
  const [nx, ny] = stack.volume.dimensions
  const sliceSize = nx * ny
  const out = new Uint8Array(sliceSize * stack.sliceOfImage.length)
  for (const [index, k] of stack.sliceOfImage.entries()) out.set(labels.subarray(k * sliceSize, (k + 1) * sliceSize), index * sliceSize)
  return out
}
