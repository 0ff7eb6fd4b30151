import { pixelBoxCorners, pixelToPatient, type SeriesFrame, type Vec3 } from '../dicom/geometry'
import type { DicomSeries } from '../dicom/types'
import { exhaustiveSwitchError } from '../errors'
import type { ModelOutput } from '../inference/model-output'
import type { FindingLabel, FindingLocation, ProposedFinding } from './types'

// Turns a model's result on a series into proposed findings a reader can review: one per
// connected lesion for a segmentation (its key image, bounding box and long axis in patient
// coordinates, its highest probability), one per positive series for a classifier (the
// image it scored highest). Only these small records leave the viewer, never the masks.

export interface SegmentationOutput {
  labels: Uint8Array
  /** Foreground probability per image at the model's resolution, when the model gives one. */
  foreground: { probabilities: Float32Array[]; columns: number; rows: number } | null
}

interface Component {
  voxels: number
  /** Pixel indices (within the image) per image index. */
  byImage: Map<number, number[]>
}

/** 3D components (6-connected) of the voxels labelled `label`, images being adjacent slices. */
export function connectedComponents(labels: Uint8Array, columns: number, rows: number, images: number, label: number): Component[] {
  const area = columns * rows
  const seen = new Uint8Array(labels.length)
  const components: Component[] = []
  const stack: number[] = []
  const visit = (next: number) => {
    if (!seen[next] && labels[next] === label) {
      seen[next] = 1
      stack.push(next)
    }
  }
  for (let start = 0; start < labels.length; start++) {
    if (labels[start] !== label || seen[start]) continue
    const component: Component = { voxels: 0, byImage: new Map() }
    seen[start] = 1
    stack.push(start)
    while (stack.length) {
      const voxel = stack.pop()!
      const image = Math.floor(voxel / area)
      const pixel = voxel - image * area
      const column = pixel % columns
      const row = (pixel - column) / columns
      component.voxels++
      const list = component.byImage.get(image)
      if (list) list.push(pixel)
      else component.byImage.set(image, [pixel])
      // The six neighbours without an array per voxel (a series' labels hold millions of them).
      if (column > 0) visit(voxel - 1)
      if (column < columns - 1) visit(voxel + 1)
      if (row > 0) visit(voxel - columns)
      if (row < rows - 1) visit(voxel + columns)
      if (image > 0) visit(voxel - area)
      if (image < images - 1) visit(voxel + area)
    }
    components.push(component)
  }
  return components
}

/** The longest distance (mm) between two pixels of a region on one image: its long axis. */
export function longAxisMm(pixels: number[], columns: number, columnSpacing: number, rowSpacing: number): number {
  const set = new Set(pixels)
  // Only boundary pixels can be the ends of the longest chord.
  const boundary = pixels.filter((pixel) => !(set.has(pixel - 1) && set.has(pixel + 1) && set.has(pixel - columns) && set.has(pixel + columns)))
  let longest = 0
  for (let i = 0; i < boundary.length; i++) {
    const a = boundary[i]!
    for (let j = i + 1; j < boundary.length; j++) {
      const b = boundary[j]!
      const dx = ((a % columns) - (b % columns)) * columnSpacing
      const dy = (Math.floor(a / columns) - Math.floor(b / columns)) * rowSpacing
      longest = Math.max(longest, dx * dx + dy * dy)
    }
  }
  // One pixel across at least: the chord runs between pixel edges, not centres.
  return Math.sqrt(longest) + Math.min(columnSpacing, rowSpacing)
}

function highestProbability(component: Component, frame: SeriesFrame, foreground: SegmentationOutput['foreground']): number | null {
  if (!foreground) return null
  const { columns, rows } = frame.geometry
  let highest = 0
  for (const [image, pixels] of component.byImage) {
    const map = foreground.probabilities[image]
    if (!map) continue
    for (const pixel of pixels) {
      const column = Math.min(foreground.columns - 1, Math.floor(((pixel % columns) + 0.5) * (foreground.columns / columns)))
      const row = Math.min(foreground.rows - 1, Math.floor((Math.floor(pixel / columns) + 0.5) * (foreground.rows / rows)))
      highest = Math.max(highest, map[row * foreground.columns + column]!)
    }
  }
  return highest
}

function location(frame: SeriesFrame, imageIndex: number, kind: FindingLocation['kind'], points: Vec3[]): FindingLocation {
  return {
    kind,
    seriesInstanceUid: frame.seriesInstanceUid,
    sopInstanceUid: frame.images[imageIndex]!.sopInstanceUid,
    frameOfReferenceUid: frame.frameOfReferenceUid,
    sliceIndex: imageIndex,
    points,
  }
}

/** One proposed finding per lesion (largest first), at the image where it is largest. */
export function findingsFromSegmentation(output: SegmentationOutput, frame: SeriesFrame, label: { value: number; finding: FindingLabel }, limit = 50): ProposedFinding[] {
  const { columns, rows, columnSpacing, rowSpacing } = frame.geometry
  const components = connectedComponents(output.labels, columns, rows, frame.images.length, label.value).sort((a, b) => b.voxels - a.voxels)
  return components.slice(0, limit).map((component) => {
    const [keyImage, pixels] = [...component.byImage].reduce((best, entry) => (entry[1].length > best[1].length ? entry : best))
    const columnsOf = pixels.map((pixel) => pixel % columns)
    const rowsOf = pixels.map((pixel) => Math.floor(pixel / columns))
    // The box runs along pixel edges, so a one-pixel lesion still has an extent.
    const corners = pixelBoxCorners(Math.min(...columnsOf), Math.min(...rowsOf), Math.max(...columnsOf), Math.max(...rowsOf)).map(([column, row]) =>
      pixelToPatient(frame, keyImage, column, row),
    )
    return {
      label: label.finding,
      location: location(frame, keyImage, 'bbox', corners),
      measurementMm: Math.round(longAxisMm(pixels, columns, columnSpacing, rowSpacing) * 10) / 10,
      probability: highestProbability(component, frame, output.foreground),
    }
  })
}

/** A positive series becomes one finding on the image the classifier scored highest. */
export function findingsFromClassification(sliceProbabilities: number[][], frame: SeriesFrame, label: { finding: FindingLabel }, decisionThreshold: number): ProposedFinding[] {
  const positive = sliceProbabilities.map((slice) => slice.at(-1)!)
  const best = positive.reduce((bestIndex, value, index) => (value > positive[bestIndex]! ? index : bestIndex), 0)
  if (!(positive[best]! >= decisionThreshold)) return []
  return [{ label: label.finding, location: location(frame, best, 'slice', []), measurementMm: null, probability: positive[best]! }]
}

/** The findings a model's output proposes: one per lesion for a segmentation, one per positive series for a classifier. */
export function findingsFromOutput(output: ModelOutput, frame: SeriesFrame, label: { value: number; finding: FindingLabel }, decisionThreshold: number): ProposedFinding[] {
  switch (output.kind) {
    case 'segmentation':
      return findingsFromSegmentation(output, frame, label)
    case 'classification':
      return findingsFromClassification(output.sliceProbabilities, frame, label, decisionThreshold)
    default:
      return exhaustiveSwitchError(output)
  }
}
