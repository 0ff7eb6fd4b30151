// A series arrives as images at measured positions; the pipeline needs a regular grid.
// Images are placed along the slice normal at round(distance / median step), and a missing
// slice (a gap in the series) is interpolated from its neighbours, so the grid's geometry
// is true everywhere. The browser and the CLI both build their volume here, from the same
// decoded modality values, so they feed the model the same numbers.
import { positionAlongNormal, sliceNormal, sliceSpacing, sliceSteps, type SliceStackGeometry, type Vec3 } from '../dicom/geometry'
import type { ScalarVolume } from './volume'

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

export function stackToVolume(geometry: SliceStackGeometry, images: readonly ImageSlice[]): StackVolume {
  const { columns, rows } = geometry
  const sliceSize = columns * rows
  if (images.length === 0) throw new Error('A volume needs at least one image')
  for (const image of images) {
    if (image.pixels.length !== sliceSize) throw new Error(`An image has ${image.pixels.length} pixels; ${sliceSize} expected`)
  }
  const normal = sliceNormal(geometry.rowDirection, geometry.columnDirection)
  const distances = images.map((image) => positionAlongNormal(image.position, normal))
  // A single image (or a stack of one position) gets 1 mm: any spacing places it at slice 0.
  const spacing = sliceSpacing(sliceSteps(distances).steps) ?? 1
  const first = distances.indexOf(Math.min(...distances))
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
