// Reading SEGs back onto their series: export then import gives the same masks, segment by
// segment (overlapping segments and empty frames included), through the raw masks and
// through a LabelmapDocument; frames without source references are placed by position; a
// SEG of another series is refused; a fractional SEG is thresholded at 0.5.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import dcmjs from 'dcmjs'
import { LabelmapDocument, type Segment } from '../annotation/labelmap-document'
import { writePart10 } from '../dicom/write-part10'
import { phantomSeries } from '../../tests/support/seg-series'
import { assignLayers, readLabelmapSeg, segmentAlgorithm, writeLabelmapSeg } from './labelmap-seg'
import { readSeg } from './read-seg'
import { SEGMENTATION_STORAGE, SegError, type SegSegmentInfo } from './types'
import { writeSeg } from './write-seg'

type Item = Record<string, any>
const dicom = (
  dcmjs as unknown as {
    data: {
      DicomMessage: { readFile(buffer: ArrayBuffer): { dict: Record<string, Item> } }
      DicomMetaDictionary: { naturalizeDataset(dict: Record<string, Item>): Item }
    }
  }
).data
const naturalized = (bytes: Uint8Array): Item => dicom.DicomMetaDictionary.naturalizeDataset(dicom.DicomMessage.readFile(bytes.slice().buffer).dict)
/** The SEG rewritten after `change` edits its naturalised data set. */
const rewritten = (bytes: Uint8Array, change: (seg: Item) => void) => {
  const seg = naturalized(bytes)
  change(seg)
  return writePart10(seg, SEGMENTATION_STORAGE, seg.SOPInstanceUID)
}

const { series } = phantomSeries(7, 8)
const [columns, rows, slices] = [13, 11, series.instances.length]
const voxels = columns * rows * slices
const options = { seriesDescription: 'Round trip', createdAt: new Date('2026-12-01T09:00:00Z'), author: 'Grace Hopper' }
const code = { value: '49755003', scheme: 'SCT', meaning: 'Morphologically abnormal structure' }

/** A seeded random blob per segment on some slices; segment 2 overlaps 1; slices 0, 4 and 7 stay empty. */
function randomMasks(): Map<number, Uint8Array> {
  let state = 12345
  const random = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31
  const masks = new Map<number, Uint8Array>()
  const slicesOf: Record<number, number[]> = { 1: [1, 2, 3], 2: [2, 3, 5], 3: [6] }
  for (const [number, onSlices] of Object.entries(slicesOf)) {
    const mask = new Uint8Array(voxels)
    for (const slice of onSlices) for (let p = 0; p < columns * rows; p++) if (random() < 0.3) mask[slice * columns * rows + p] = 1
    masks.set(Number(number), mask)
  }
  return masks
}
const infos: SegSegmentInfo[] = [1, 2, 3].map((number) => ({
  number,
  label: `Segment ${number}`,
  color: [40 * number, 200, 100],
  category: code,
  type: code,
  algorithm: { type: 'MANUAL' },
}))

describe('readSeg', () => {
  it('gives back the masks it was written from, segment by segment, and reports the overlap', () => {
    const masks = randomMasks()
    const written = writeSeg(infos, (number) => masks.get(number)!, series, options)
    const read = readSeg(written.bytes, series)
    assert.deepEqual(
      read.segments.map((segment) => segment.label),
      infos.map((info) => info.label),
    )
    for (const segment of read.segments) {
      const original = masks.get(infos[segment.number - 1]!.number)!
      assert.deepEqual(segment.mask, original, segment.label)
      assert.equal(
        segment.voxels,
        original.reduce((sum, value) => sum + value, 0),
      )
    }
    assert.deepEqual(read.overlaps, [[1, 2]])
    assert.deepEqual(
      [...assignLayers(read.segments, read.overlaps)],
      [
        [1, 0],
        [2, 1],
        [3, 0],
      ],
    )
    assert.deepEqual(read.notices, [])
  })

  it('places frames by plane position when they name no source image', () => {
    const masks = randomMasks()
    const written = writeSeg(infos, (number) => masks.get(number)!, series, options)
    const unreferenced = rewritten(written.bytes, (seg) => {
      for (const frame of seg.PerFrameFunctionalGroupsSequence) delete frame.DerivationImageSequence
    })
    for (const segment of readSeg(unreferenced, series).segments) assert.deepEqual(segment.mask, masks.get(segment.number)!, segment.label)
  })

  it('leaves out, with a notice, frames that lie on no image of the series', () => {
    const masks = randomMasks()
    const written = writeSeg(infos, (number) => masks.get(number)!, series, options)
    const moved = rewritten(written.bytes, (seg) => {
      const frame = seg.PerFrameFunctionalGroupsSequence[0]
      delete frame.DerivationImageSequence
      frame.PlanePositionSequence[0].ImagePositionPatient[2] += 1.25
    })
    const read = readSeg(moved, series)
    assert.match(read.notices.join(' '), /1 of the segmentation's \d+ frames lie on no image of this series/)
    assert.ok(read.segments[0]!.voxels < masks.get(1)!.reduce((sum, value) => sum + value, 0))
  })

  it('refuses a SEG of a series that is not the one given, saying which it refers to', () => {
    const other = phantomSeries(8, 8).series
    const masks = randomMasks()
    const written = writeSeg(infos, (number) => masks.get(number)!, other, options)
    assert.throws(
      () => readSeg(written.bytes, series),
      (error) =>
        error instanceof SegError && error.kind === 'series-not-loaded' && error.message === `This segmentation refers to series ${other.seriesInstanceUid}, which is not loaded.`,
    )
  })

  it('thresholds a fractional SEG at 0.5, with a notice', () => {
    const mask = new Uint8Array(voxels)
    mask[2 * columns * rows + 17] = 1
    const written = writeSeg([infos[0]!], () => mask, series, options)
    // The same frame as 8-bit probabilities: 127/255 (below 0.5) and 128/255 (above) at two pixels.
    const fractional = rewritten(written.bytes, (seg) => {
      const frame = new Uint8Array(columns * rows)
      frame[17] = 128
      frame[18] = 127
      Object.assign(seg, {
        SegmentationType: 'FRACTIONAL',
        SegmentationFractionalType: 'PROBABILITY',
        MaximumFractionalValue: 255,
        BitsAllocated: 8,
        BitsStored: 8,
        HighBit: 7,
        PixelData: [frame.buffer],
      })
    })
    const read = readSeg(fractional, series)
    assert.deepEqual(read.segments[0]!.mask, mask)
    assert.match(read.notices.join(' '), /fractional \(probability\); voxels at 0\.5 or more were taken as inside/)
  })

  it('refuses what is not a segmentation', () => {
    assert.throws(
      () => readSeg(new Uint8Array(300), series),
      (error) => error instanceof SegError && error.kind === 'not-a-segmentation',
    )
  })
})

describe('LabelmapDocument ↔ SEG', () => {
  const model = { kind: 'model' as const, id: 'lesion-seg-2d', version: '1.2.0', sha256: 'ab'.repeat(32) }
  const segments: Segment[] = [
    { number: 1, name: 'Nodule', color: [220, 40, 40], category: code, type: code, source: { kind: 'user', userId: 'u1' } },
    { number: 3, name: 'Model nodule', color: [40, 40, 220], category: code, type: code, source: model },
  ]

  it('takes the algorithm type from who made the segment and whether it was edited', () => {
    assert.deepEqual(segmentAlgorithm(segments[0]!, true), { type: 'MANUAL' })
    assert.deepEqual(segmentAlgorithm(segments[1]!, false), { type: 'AUTOMATIC', name: 'lesion-seg-2d', version: '1.2.0' })
    assert.deepEqual(segmentAlgorithm(segments[1]!, true), { type: 'SEMIAUTOMATIC', name: 'lesion-seg-2d', version: '1.2.0' })
  })

  it('exports a document and imports it to identical labels, segment by segment', () => {
    const labels = new Uint8Array(voxels)
    for (let i = 0; i < voxels; i++) if (i % 7 === 0 && Math.floor(i / (columns * rows)) % 3 !== 0) labels[i] = i % 2 ? 1 : 3
    const document = new LabelmapDocument(series.seriesInstanceUid, { columns, rows, slices }, segments, labels)
    const written = writeLabelmapSeg(document, series, { ...options, edited: (number) => number === 3 })
    assert.deepEqual(
      naturalized(written.bytes).SegmentSequence.map((item: Item) => item.SegmentAlgorithmType),
      ['MANUAL', 'SEMIAUTOMATIC'],
    )
    const read = readLabelmapSeg(written.bytes, series)
    const renumbered = labels.map((label) => (label === 0 ? 0 : written.segmentNumbers.get(label)!))
    assert.deepEqual(read.document.labels, renumbered)
    assert.deepEqual(
      read.document.segments.map((segment) => [segment.number, segment.name, segment.category, segment.type]),
      segments.map((segment) => [written.segmentNumbers.get(segment.number), segment.name, segment.category, segment.type]),
    )
    read.document.segments.forEach((segment, s) => segment.color.forEach((channel, c) => assert.ok(Math.abs(channel - segments[s]!.color[c]!) <= 1, `colour of ${segment.name}`)))
    assert.deepEqual(read.document.segments[1]!.source, { kind: 'model', id: 'lesion-seg-2d', version: '1.2.0', sha256: '' })
    assert.deepEqual(read.document.segments[0]!.source, { kind: 'user', userId: 'Hopper^Grace' })
  })
})
