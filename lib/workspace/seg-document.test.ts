// Which series a SEG goes on, what "not loaded" says, how edits decide the algorithm type,
// and export then import on the workspace's series giving the same masks, segment by segment.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { LabelmapDocument, type SegmentInit } from '../annotation/labelmap-document'
import { groupStudies } from '../dicom/group-studies'
import { parseInstance } from '../dicom/parse-instance'
import type { DicomSeries } from '../dicom/types'
import { readSeg } from '../seg/read-seg'
import { SegError } from '../seg/types'
import { ingestFiles } from '../dicom/ingest'
import { readFolder } from '../../tests/support/read-folder'
import { phantomSeries } from '../../tests/support/seg-series'
import { missingSharedData, sharedDataPath } from '../../tests/support/shared-data'
import { exportSeg, readSegOnto, segmentEdited } from './seg-document'

function dicomSeries(files: Uint8Array[]): DicomSeries {
  const instances = files.map((bytes, k) => {
    const parsed = parseInstance(bytes, `${k}.dcm`, k)
    if (!parsed.ok) throw new Error(parsed.rejection.reason)
    return parsed.instance
  })
  return groupStudies(instances)[0]!.studies[0]!.series[0]!
}

const target = dicomSeries(phantomSeries(11, 5).files)
const other = dicomSeries(phantomSeries(12, 5).files)
const { columns, rows } = target.instances[0]!
const voxels = columns * rows * target.instances.length
const model = { kind: 'model', id: 'lesion-seg-2d', version: '1.0.0', sha256: 'a'.repeat(64) } as const
const at = (column: number, row: number, slice: number) => (slice * rows + row) * columns + column

/** Segment 1 (model) and 2 (user) overlap at one voxel, so 2 sits on layer 1. */
function document(): LabelmapDocument {
  const segments: SegmentInit[] = [
    { number: 1, name: 'Lesion', color: [255, 0, 0], category: null, type: null, source: model },
    { number: 2, name: 'Mine', color: [0, 255, 0], category: null, type: null, source: { kind: 'user', userId: 'u1' }, layer: 1 },
  ]
  const layer0 = new Uint8Array(voxels)
  const layer1 = new Uint8Array(voxels)
  for (const [c, r, s] of [
    [2, 3, 1],
    [3, 3, 1],
    [4, 4, 3],
  ] as const)
    layer0[at(c, r, s)] = 1
  for (const [c, r, s] of [
    [3, 3, 1],
    [7, 8, 4],
  ] as const)
    layer1[at(c, r, s)] = 2
  return new LabelmapDocument(target.seriesInstanceUid, { columns, rows, slices: target.instances.length }, segments, [layer0, layer1])
}

const options = { author: 'Ada Lovelace', createdAt: new Date('2026-12-01T20:00:00Z') }

describe('DICOM SEG in the workspace', () => {
  it('exports a document and reads it back on the series it refers to, passing over another series: masks identical per segment', () => {
    const doc = document()
    const written = exportSeg(doc, target, { ...options, edited: () => false })
    assert.match(written.fileName, /^parallax-seg-[0-9.]+\.dcm$/)
    const { series, read } = readSegOnto(written.bytes, target.instances[0]!, [other, target])
    assert.equal(series.seriesInstanceUid, target.seriesInstanceUid)
    assert.deepEqual(read.overlaps, [[1, 2]])
    for (const segment of doc.segments) {
      const number = written.segmentNumbers.get(segment.number)!
      assert.deepEqual(read.document.mask(number), doc.mask(segment.number), segment.name)
      assert.equal(read.document.segment(number)!.name, segment.name)
    }
  })

  it('says which series is missing when the SEG is dropped without it, or with another series only', () => {
    const written = exportSeg(document(), target, { ...options, edited: () => false })
    const notLoaded = (error: unknown) =>
      error instanceof SegError && error.kind === 'series-not-loaded' && error.message === `This segmentation refers to series ${target.seriesInstanceUid}, which is not loaded.`
    assert.throws(() => readSegOnto(written.bytes, target.instances[0]!, []), notLoaded)
    assert.throws(() => readSegOnto(written.bytes, target.instances[0]!, [other]), notLoaded)
  })

  it('writes a model segment AUTOMATIC until a user edits the document, SEMIAUTOMATIC after, AUTOMATIC again once undone and unmarked', () => {
    const doc = document()
    const algorithms = (edited: (segmentNumber: number) => boolean) =>
      readSeg(exportSeg(doc, target, { ...options, edited }).bytes, target).segments.map((segment) => [segment.label, segment.algorithm.type])
    assert.deepEqual(algorithms(segmentEdited(doc, null)), [
      ['Lesion', 'AUTOMATIC'],
      ['Mine', 'MANUAL'],
    ])
    doc.transact('Brush', (edit) => edit.paint(at(5, 5, 2), 2))
    assert.deepEqual(algorithms(segmentEdited(doc, null)), [
      ['Lesion', 'SEMIAUTOMATIC'],
      ['Mine', 'MANUAL'],
    ])
    // An edit through the document itself marks nothing, yet counts.
    assert.deepEqual(algorithms(segmentEdited(doc, new Set()))[0], ['Lesion', 'SEMIAUTOMATIC'])
    doc.undo()
    assert.deepEqual(algorithms(segmentEdited(doc, null))[0], ['Lesion', 'AUTOMATIC'])
    assert.deepEqual(algorithms(segmentEdited(doc, new Set([1])))[0], ['Lesion', 'SEMIAUTOMATIC'])
    assert.deepEqual(algorithms(segmentEdited(doc, new Set()))[0], ['Lesion', 'AUTOMATIC'])
  })
})

describe('the 3D Slicer PET SEG dropped with its PET series', { skip: missingSharedData('pet-headneck') ?? false }, () => {
  it('is kept out of the series and lands on the PET series with the voxels readSeg finds there', () => {
    const files = readFolder(sharedDataPath('pet-headneck'))
    const { result } = ingestFiles(files)
    const held = result.patients.flatMap((patient) => patient.studies.flatMap((study) => study.series))
    assert.deepEqual(
      held.map((series) => series.modality),
      ['PT'],
    )
    const seg = result.segmentations[0]!
    const bytes = files[seg.fileIndex]!.bytes
    const { series, read } = readSegOnto(bytes, seg, held)
    assert.equal(series, held[0])
    const counts = read.document.counts()
    const expected = readSeg(bytes, series).segments
    assert.equal(expected.length, 2)
    for (const segment of expected) assert.equal(counts[segment.number], segment.voxels, segment.label)
  })
})
