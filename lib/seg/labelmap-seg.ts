// DICOM SEG to and from a LabelmapDocument: the document's segments and their masks go
// through writeSeg / readSeg, which know nothing of documents.
import { LabelmapDocument, type Segment } from '../annotation/labelmap-document'
import { readSeg } from './read-seg'
import type { SegAlgorithm, SegMask, SegReadSegment, SegSourceSeries } from './types'
import { writeSeg, type SegWriteOptions, type SegWriteResult } from './write-seg'

/**
 * A user's segment is MANUAL; a model's is AUTOMATIC while it is the model's output as
 * given, SEMIAUTOMATIC once a person has changed it (the model contributed, the person decided).
 */
export function segmentAlgorithm(segment: Segment, edited: boolean): SegAlgorithm {
  if (segment.source.kind === 'user') return { type: 'MANUAL' }
  return { type: edited ? 'SEMIAUTOMATIC' : 'AUTOMATIC', name: segment.source.id, version: segment.source.version }
}

export interface LabelmapSegOptions extends SegWriteOptions {
  /** Whether a person changed this segment since a model made it. */
  edited: (segmentNumber: number) => boolean
}

/** One segment's binary volume from the document. */
function segmentMask(document: LabelmapDocument, segmentNumber: number): SegMask {
  // Layer 0 only, until documents have layers (issue 12 plan A): then doc.mask(segmentNumber).
  return document.labels.map((label) => (label === segmentNumber ? 1 : 0))
}

export function writeLabelmapSeg(document: LabelmapDocument, source: SegSourceSeries, options: LabelmapSegOptions): SegWriteResult {
  if (document.seriesInstanceUid !== source.seriesInstanceUid) throw new Error(`The labelmap is on series ${document.seriesInstanceUid}, not on ${source.seriesInstanceUid}.`)
  const segments = document.segments.map((segment) => ({
    number: segment.number,
    label: segment.name,
    color: segment.color,
    category: segment.category,
    type: segment.type,
    algorithm: segmentAlgorithm(segment, options.edited(segment.number)),
  }))
  return writeSeg(segments, (number) => segmentMask(document, number), source, options)
}

export interface LabelmapSegRead {
  document: LabelmapDocument
  /** SEG segment number → the layer it belongs on (0 unless it overlaps a segment before it). */
  layers: Map<number, number>
  overlaps: [number, number][]
  notices: string[]
}

/** A SEG on `source` as an editable document (segment numbers are the SEG's). */
export function readLabelmapSeg(bytes: ArrayBuffer | Uint8Array, source: SegSourceSeries): LabelmapSegRead {
  const read = readSeg(bytes, source)
  const first = source.instances[0]!
  const grid = { columns: first.columns, rows: first.rows, slices: source.instances.length }
  const layers = assignLayers(read.segments, read.overlaps)
  const segments: Segment[] = read.segments.map((segment) => ({
    number: segment.number,
    name: segment.label,
    color: segment.color,
    category: segment.category,
    type: segment.type,
    source: sourceOf(segment, read.contentCreator),
  }))
  const labels = new Uint8Array(grid.columns * grid.rows * grid.slices)
  const notices = [...read.notices]
  for (const segment of read.segments) {
    // Until documents have layers (plan A) a segment on a layer above 0 keeps only the
    // voxels no earlier segment holds; then it goes to its layer whole.
    for (let i = 0; i < labels.length; i++) if (segment.mask[i] && labels[i] === 0) labels[i] = segment.number
    if (layers.get(segment.number)! > 0) notices.push(`Segment "${segment.label}" overlaps another segment; where they overlap it was given to the other one.`)
  }
  return { document: new LabelmapDocument(source.seriesInstanceUid, grid, segments, labels), layers, overlaps: read.overlaps, notices }
}

/** Each segment on the lowest layer that holds no segment it overlaps, in SEG order. */
export function assignLayers(segments: readonly Pick<SegReadSegment, 'number'>[], overlaps: readonly [number, number][]): Map<number, number> {
  const layers = new Map<number, number>()
  const overlapping = (a: number, b: number) => overlaps.some(([x, y]) => (x === a && y === b) || (x === b && y === a))
  for (const { number } of segments) {
    let layer = 0
    while ([...layers].some(([other, otherLayer]) => otherLayer === layer && overlapping(number, other))) layer += 1
    layers.set(number, layer)
  }
  return layers
}

function sourceOf(segment: SegReadSegment, contentCreator: string): Segment['source'] {
  const { algorithm } = segment
  if (algorithm.type === 'MANUAL') return { kind: 'user', userId: contentCreator }
  // A SEG names its algorithm and version but not the model file's hash.
  return { kind: 'model', id: algorithm.name, version: algorithm.version, sha256: '' }
}
