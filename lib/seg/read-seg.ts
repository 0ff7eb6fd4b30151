// Reads a binary or fractional DICOM Segmentation (1.2.840.10008.5.1.4.1.1.66.4) onto the
// series it segments: one binary mask per segment, frames placed on the series' images by
// the SOP Instance UID each frame derives from, else by plane position. Parsing and
// naturalising are dcmjs's; the placement is ours, because the adapters' reader
// (createFromDICOMSegBuffer) refuses fractional SEGs and returns Cornerstone labelmap
// buffers, not the per-segment masks the document and agreement need.
import dcmjs from 'dcmjs'
import type { Code, Rgb } from '../annotation/labelmap-document'
import { dot, orientationDirections, sliceNormal, subtract, type Vec3 } from '../dicom/geometry'
import { dicomLabToRgb } from './colour'
import { SEGMENTATION_STORAGE, SegError, type SegAlgorithm, type SegReadSegment, type SegSourceSeries } from './types'

type Item = Record<string, unknown>

const reader = (
  dcmjs as unknown as {
    data: {
      DicomMessage: { readFile(buffer: ArrayBuffer): { dict: Record<string, unknown>; meta: Record<string, { Value?: unknown[] }> } }
      DicomMetaDictionary: { naturalizeDataset(dict: Record<string, unknown>): Item }
    }
  }
).data

const NATIVE_TRANSFER_SYNTAXES = new Set(['1.2.840.10008.1.2', '1.2.840.10008.1.2.1', '1.2.840.10008.1.2.1.99'])
/** Orientations this close (direction cosines) are the same plane. */
const ORIENTATION_TOLERANCE = 1e-3
/** A frame's position matches an image within this fraction of the smallest voxel step. */
const POSITION_TOLERANCE = 0.1
const UNLABELLED_COLOUR: Rgb = [128, 174, 128]

export interface SegReadResult {
  sopInstanceUid: string
  seriesDescription: string
  /** Content Creator's Name, as written (PN). */
  contentCreator: string
  /** In SEG order; masks are columns × rows × slices on `source`. */
  segments: SegReadSegment[]
  /** SEG segment numbers that share voxels: they cannot sit on one labelmap layer. */
  overlaps: [number, number][]
  /** For the user: what was adjusted or left out. */
  notices: string[]
}

export function readSeg(bytes: ArrayBuffer | Uint8Array, source: SegSourceSeries): SegReadResult {
  const { dataset, transferSyntaxUid } = parse(bytes)
  if (dataset.SOPClassUID !== SEGMENTATION_STORAGE) throw new SegError('not-a-segmentation', 'This file is not a DICOM segmentation (Segmentation Storage).')
  checkReferencedSeries(dataset, source)
  const first = source.instances[0]
  if (!first) throw new SegError('grid-mismatch', 'The series has no images to place the segmentation on.')
  const rows = Number(dataset.Rows)
  const columns = Number(dataset.Columns)
  if (rows !== first.rows || columns !== first.columns)
    throw new SegError(
      'grid-mismatch',
      `This segmentation is ${columns}×${rows} pixels; the images of its series are ${first.columns}×${first.rows}. Resampled segmentations are not supported.`,
    )
  if (!NATIVE_TRANSFER_SYNTAXES.has(transferSyntaxUid))
    throw new SegError('unsupported', `This segmentation is compressed (transfer syntax ${transferSyntaxUid}), which is not supported yet.`)

  const notices: string[] = []
  const sliceSize = rows * columns
  const frameCount = Number(dataset.NumberOfFrames ?? 1)
  const isVoxelSet = voxelTest(dataset, frameCount * sliceSize, notices)
  const segments = new Map<number, SegReadSegment>()
  for (const item of items(dataset.SegmentSequence)) {
    const segment = segmentOf(item, source.instances.length * sliceSize)
    segments.set(segment.number, segment)
  }
  const touched = new Map<number, Set<number>>()
  const place = placement(source)
  const shared = items(dataset.SharedFunctionalGroupsSequence)[0] ?? {}
  const perFrame = items(dataset.PerFrameFunctionalGroupsSequence)
  let unplaced = 0
  let unknownSegment = 0
  for (let f = 0; f < frameCount; f++) {
    const group = perFrame[f] ?? {}
    const number = Number(items(group.SegmentIdentificationSequence ?? shared.SegmentIdentificationSequence)[0]?.ReferencedSegmentNumber)
    const segment = segments.get(number)
    if (!segment) {
      unknownSegment += 1
      continue
    }
    const slice = place(group, shared)
    if (slice === null) {
      unplaced += 1
      continue
    }
    const offset = slice * sliceSize
    const frameStart = f * sliceSize
    let any = false
    for (let p = 0; p < sliceSize; p++)
      if (isVoxelSet(frameStart + p) && segment.mask[offset + p] === 0) {
        segment.mask[offset + p] = 1
        segment.voxels += 1
        any = true
      }
    if (any) touched.set(number, (touched.get(number) ?? new Set()).add(slice))
  }
  if (unplaced > 0) notices.push(`${unplaced} of the segmentation's ${frameCount} frames lie on no image of this series and were left out.`)
  if (unknownSegment > 0) notices.push(`${unknownSegment} frames name a segment the segmentation does not describe and were left out.`)
  const list = [...segments.values()]
  return {
    sopInstanceUid: String(dataset.SOPInstanceUID ?? ''),
    seriesDescription: String(dataset.SeriesDescription ?? ''),
    contentCreator: personNameText(dataset.ContentCreatorName),
    segments: list,
    overlaps: overlapsOf(list, touched, sliceSize),
    notices,
  }
}

function parse(bytes: ArrayBuffer | Uint8Array): { dataset: Item; transferSyntaxUid: string } {
  const buffer = bytes instanceof Uint8Array ? bytes.slice().buffer : bytes
  try {
    const file = reader.DicomMessage.readFile(buffer)
    return { dataset: reader.DicomMetaDictionary.naturalizeDataset(file.dict), transferSyntaxUid: String(file.meta['00020010']?.Value?.[0] ?? '') }
  } catch {
    throw new SegError('not-a-segmentation', 'This file could not be read as a DICOM object.')
  }
}

/** dcmjs gives a sequence as an array of items (or, from some writers, one item). */
function items(value: unknown): Item[] {
  if (Array.isArray(value)) return value as Item[]
  return value && typeof value === 'object' ? [value as Item] : []
}

function checkReferencedSeries(dataset: Item, source: SegSourceSeries) {
  const referenced = items(dataset.ReferencedSeriesSequence).map((item) => String(item.SeriesInstanceUID ?? ''))
  if (referenced.length === 0 || referenced.includes(source.seriesInstanceUid)) return
  throw new SegError('series-not-loaded', `This segmentation refers to series ${referenced.join(', ')}, which is not loaded.`)
}

/** Whether voxel `index` (frame × rows × columns) is inside, for binary or fractional pixel data. */
function voxelTest(dataset: Item, voxels: number, notices: string[]): (index: number) => boolean {
  const pixels = pixelBytes(dataset.PixelData)
  if (dataset.SegmentationType === 'FRACTIONAL') {
    const maximum = Number(dataset.MaximumFractionalValue ?? 255)
    if (Number(dataset.BitsAllocated) !== 8 || pixels.length < voxels)
      throw new SegError('unsupported', 'This fractional segmentation does not hold 8-bit values for every pixel of its frames.')
    notices.push(`This segmentation is fractional (${String(dataset.SegmentationFractionalType ?? 'PROBABILITY').toLowerCase()}); voxels at 0.5 or more were taken as inside.`)
    return (index) => pixels[index]! >= maximum / 2
  }
  if (Number(dataset.BitsAllocated) !== 1 || pixels.length * 8 < voxels)
    throw new SegError('unsupported', 'This binary segmentation does not hold one bit for every pixel of its frames.')
  // Frames follow each other bit after bit, least significant bit first (PS3.5 8.1.1).
  return (index) => ((pixels[index >> 3]! >> (index & 7)) & 1) === 1
}

function pixelBytes(value: unknown): Uint8Array {
  const parts = (Array.isArray(value) ? value : [value]).filter((part): part is ArrayBuffer | ArrayBufferView => part instanceof ArrayBuffer || ArrayBuffer.isView(part))
  const views = parts.map((part) => (part instanceof ArrayBuffer ? new Uint8Array(part) : new Uint8Array(part.buffer, part.byteOffset, part.byteLength)))
  if (views.length === 1) return views[0]!
  const joined = new Uint8Array(views.reduce((total, view) => total + view.length, 0))
  let offset = 0
  for (const view of views) {
    joined.set(view, offset)
    offset += view.length
  }
  return joined
}

function segmentOf(item: Item, voxels: number): SegReadSegment {
  const number = Number(item.SegmentNumber)
  const type = String(item.SegmentAlgorithmType ?? 'MANUAL')
  const identification = items(item.SegmentationAlgorithmIdentificationSequence)[0]
  const algorithm: SegAlgorithm =
    type === 'AUTOMATIC' || type === 'SEMIAUTOMATIC'
      ? { type, name: String(item.SegmentAlgorithmName ?? identification?.AlgorithmName ?? ''), version: String(identification?.AlgorithmVersion ?? '') }
      : { type: 'MANUAL' }
  const lab = item.RecommendedDisplayCIELabValue
  return {
    number,
    label: String(item.SegmentLabel ?? `Segment ${number}`),
    color: Array.isArray(lab) && lab.length === 3 ? dicomLabToRgb(lab.map(Number)) : UNLABELLED_COLOUR,
    category: codeOf(item.SegmentedPropertyCategoryCodeSequence),
    type: codeOf(item.SegmentedPropertyTypeCodeSequence),
    algorithm,
    mask: new Uint8Array(voxels),
    voxels: 0,
  }
}

function codeOf(sequence: unknown): Code | null {
  const item = items(sequence)[0]
  if (!item) return null
  return {
    value: String(item.CodeValue ?? item.LongCodeValue ?? item.URNCodeValue ?? ''),
    scheme: String(item.CodingSchemeDesignator ?? ''),
    meaning: String(item.CodeMeaning ?? ''),
  }
}

function personNameText(value: unknown): string {
  const first = Array.isArray(value) ? value[0] : value
  if (first && typeof first === 'object' && 'Alphabetic' in first) return String((first as { Alphabetic: unknown }).Alphabetic)
  return first === undefined || first === null ? '' : String(first)
}

/**
 * The slice a frame lies on: the image its Derivation Image Sequence names, else the image
 * at its plane position (within POSITION_TOLERANCE of a voxel step); null for neither.
 */
function placement(source: SegSourceSeries): (group: Item, shared: Item) => number | null {
  const bySop = new Map(source.instances.map((instance, k) => [instance.sopInstanceUid, k]))
  const first = source.instances[0]!
  const orientation = first.imageOrientationPatient
  const normal: Vec3 | null = orientation ? sliceNormal(...orientationDirections(orientation)) : null
  const positions = source.instances.map((instance) => instance.imagePositionPatient)
  const steps = positions.slice(1).map((position, k) => (position && positions[k] && normal ? Math.abs(dot(subtract(position, positions[k]!), normal)) : Infinity))
  const smallestStep = Math.min(...(first.pixelSpacing ?? [1, 1]), ...steps.filter((step) => step > 0))
  const tolerance = POSITION_TOLERANCE * smallestStep
  return (group, shared) => {
    checkOrientation(group, shared, orientation)
    for (const derivation of items(group.DerivationImageSequence))
      for (const sourceImage of items(derivation.SourceImageSequence)) {
        const slice = bySop.get(String(sourceImage.ReferencedSOPInstanceUID ?? ''))
        if (slice !== undefined) return slice
      }
    const position = items(group.PlanePositionSequence ?? shared.PlanePositionSequence)[0]?.ImagePositionPatient
    if (!Array.isArray(position) || position.length !== 3) return null
    const point = position.map(Number) as Vec3
    let best: number | null = null
    let bestDistance = Infinity
    positions.forEach((candidate, k) => {
      if (!candidate) return
      const distance = Math.hypot(...subtract(point, candidate))
      if (distance < bestDistance) [best, bestDistance] = [k, distance]
    })
    return bestDistance <= tolerance ? best : null
  }
}

function checkOrientation(group: Item, shared: Item, orientation: readonly number[] | null) {
  const frameOrientation = items(group.PlaneOrientationSequence ?? shared.PlaneOrientationSequence)[0]?.ImageOrientationPatient
  if (!orientation || !Array.isArray(frameOrientation)) return
  if (frameOrientation.some((value, i) => Math.abs(Number(value) - orientation[i]!) > ORIENTATION_TOLERANCE))
    throw new SegError('grid-mismatch', 'This segmentation is drawn on planes other than those of its series (a resampled segmentation), which is not supported.')
}

function overlapsOf(segments: SegReadSegment[], touched: Map<number, Set<number>>, sliceSize: number): [number, number][] {
  const pairs: [number, number][] = []
  for (let i = 0; i < segments.length; i++)
    for (let j = i + 1; j < segments.length; j++) {
      const a = segments[i]!
      const b = segments[j]!
      const common = [...(touched.get(a.number) ?? [])].filter((slice) => touched.get(b.number)?.has(slice))
      if (common.some((slice) => a.mask.subarray(slice * sliceSize, (slice + 1) * sliceSize).some((value, p) => value === 1 && b.mask[slice * sliceSize + p] === 1)))
        pairs.push([a.number, b.number])
    }
  return pairs
}
