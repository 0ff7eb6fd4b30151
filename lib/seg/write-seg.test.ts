// The SEG writer: a generated CT series and three segments (manual, edited model output,
// unedited model output; two overlapping; one more left empty) give a Segmentation that
// dciodvfy passes, with one frame per non-empty slice of each segment on its own image.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import dcmjs from 'dcmjs'
import { dciodvfyBytes, missingDciodvfy } from '../../tests/support/dciodvfy'
import { phantomSeries } from '../../tests/support/seg-series'
import { SegError, type SegSegmentInfo } from './types'
import { writeSeg } from './write-seg'

type Item = Record<string, any>
const dicom = (
  dcmjs as unknown as {
    data: {
      DicomMessage: { readFile(buffer: ArrayBuffer): { dict: Record<string, Item>; write(): ArrayBuffer } }
      DicomMetaDictionary: { naturalizeDataset(dict: Record<string, Item>): Item }
    }
  }
).data
const naturalized = (bytes: Uint8Array): Item => dicom.DicomMetaDictionary.naturalizeDataset(dicom.DicomMessage.readFile(bytes.slice().buffer).dict)

const { series } = phantomSeries()
const [columns, rows, slices] = [13, 11, series.instances.length]
const sliceSize = columns * rows
const lesion = { value: '49755003', scheme: 'SCT', meaning: 'Morphologically abnormal structure' }
const mass = { value: '4147007', scheme: 'SCT', meaning: 'Mass' }
const segments: SegSegmentInfo[] = [
  { number: 1, label: 'Nodule', color: [230, 60, 60], category: lesion, type: mass, algorithm: { type: 'MANUAL' } },
  { number: 2, label: 'Model nodule', color: [60, 200, 60], category: lesion, type: mass, algorithm: { type: 'SEMIAUTOMATIC', name: 'lesion-seg-2d', version: '1.2.0' } },
  { number: 5, label: 'Model output', color: [60, 60, 230], category: null, type: null, algorithm: { type: 'AUTOMATIC', name: 'lesion-seg-2d', version: '1.2.0' } },
  { number: 7, label: 'Nothing', color: [200, 200, 0], category: lesion, type: mass, algorithm: { type: 'MANUAL' } },
]
/** Voxels per segment: 1 on slices 1–2, 2 on slices 2–3 (overlapping 1 on slice 2), 5 on slice 4; 7 empty; slices 0 and 5 empty. */
const masks = new Map<number, Uint8Array>()
for (const number of [1, 2, 5, 7]) masks.set(number, new Uint8Array(sliceSize * slices))
const set = (number: number, slice: number, column: number, row: number) => (masks.get(number)![slice * sliceSize + row * columns + column] = 1)
;(set(1, 1, 3, 4), set(1, 1, 4, 4), set(1, 2, 4, 5), set(1, 2, 12, 10))
;(set(2, 2, 4, 5), set(2, 2, 5, 5), set(2, 3, 0, 0))
set(5, 4, 7, 7)
const options = { seriesDescription: 'Nodules (test)', createdAt: new Date('2026-12-01T10:11:12Z'), author: 'Ada Lovelace' }
const written = writeSeg(segments, (number) => masks.get(number)!, series, options)

describe('writeSeg', () => {
  it('passes dciodvfy without errors', { skip: missingDciodvfy() }, () => {
    const { errors, report } = dciodvfyBytes(written.bytes)
    assert.deepEqual(errors, [], report)
    // The check can fail: a frame without its Derivation Code Sequence (type 1C) is reported.
    const file = dicom.DicomMessage.readFile(written.bytes.slice().buffer)
    delete file.dict['52009230']!.Value[0]['00089124'].Value[0]['00089215']
    assert.ok(dciodvfyBytes(new Uint8Array(file.write())).errors.length > 0)
  })

  it('writes each non-empty segment with its algorithm and codes; empty segments are left out with a notice', () => {
    const seg = naturalized(written.bytes)
    assert.equal(seg.SOPClassUID, '1.2.840.10008.5.1.4.1.1.66.4')
    assert.equal(seg.SegmentationType, 'BINARY')
    assert.deepEqual(
      [...written.segmentNumbers],
      [
        [1, 1],
        [2, 2],
        [5, 3],
      ],
    )
    const items: Item[] = seg.SegmentSequence
    assert.deepEqual(
      items.map((item) => [item.SegmentNumber, item.SegmentLabel, item.SegmentAlgorithmType, item.SegmentAlgorithmName]),
      [
        [1, 'Nodule', 'MANUAL', undefined],
        [2, 'Model nodule', 'SEMIAUTOMATIC', 'lesion-seg-2d'],
        [3, 'Model output', 'AUTOMATIC', 'lesion-seg-2d'],
      ],
    )
    const identification = items[1]!.SegmentationAlgorithmIdentificationSequence[0]
    assert.deepEqual([identification.AlgorithmName, identification.AlgorithmVersion, identification.AlgorithmFamilyCodeSequence[0].CodeValue], ['lesion-seg-2d', '1.2.0', '123110'])
    assert.equal(items[0]!.SegmentationAlgorithmIdentificationSequence, undefined)
    assert.deepEqual([items[0]!.SegmentedPropertyCategoryCodeSequence[0].CodeValue, items[0]!.SegmentedPropertyTypeCodeSequence[0].CodeValue], ['49755003', '4147007'])
    assert.equal(items[2]!.SegmentedPropertyTypeCodeSequence[0].CodeMeaning, 'Tissue')
    assert.ok(written.notices.some((notice) => /"Nothing" is empty/.test(notice)))
    assert.ok(written.notices.some((notice) => /"Model output" has no SNOMED CT/.test(notice)))
  })

  it('writes one frame per non-empty slice of each segment, on its own image, with the series geometry', () => {
    const seg = naturalized(written.bytes)
    const frames: Item[] = seg.PerFrameFunctionalGroupsSequence
    const expected = [
      [1, 1],
      [1, 2],
      [2, 2],
      [2, 3],
      [3, 4],
    ]
    assert.equal(seg.NumberOfFrames, expected.length)
    frames.forEach((frame, f) => {
      const [segment, slice] = expected[f]!
      const image = series.instances[slice!]!
      assert.equal(frame.SegmentIdentificationSequence[0].ReferencedSegmentNumber, segment)
      const sourceImage = frame.DerivationImageSequence[0].SourceImageSequence[0]
      assert.deepEqual([sourceImage.ReferencedSOPInstanceUID, sourceImage.ReferencedSOPClassUID], [image.sopInstanceUid, image.sopClassUid])
      assert.deepEqual(frame.PlanePositionSequence[0].ImagePositionPatient, image.imagePositionPatient)
    })
    const shared = seg.SharedFunctionalGroupsSequence[0]
    assert.deepEqual(shared.PlaneOrientationSequence[0].ImageOrientationPatient, series.instances[0]!.imageOrientationPatient)
    assert.deepEqual(shared.PixelMeasuresSequence[0].PixelSpacing, series.instances[0]!.pixelSpacing)
    const referenced: Item[] = seg.ReferencedSeriesSequence[0].ReferencedInstanceSequence
    assert.equal(seg.ReferencedSeriesSequence[0].SeriesInstanceUID, series.seriesInstanceUid)
    assert.deepEqual(
      referenced.map((item) => item.ReferencedSOPInstanceUID),
      [1, 2, 3, 4].map((k) => series.instances[k]!.sopInstanceUid),
    )
  })

  it('carries the patient, study and frame of reference of the source, and who made it when', () => {
    const seg = naturalized(written.bytes)
    const image = series.instances[0]!
    assert.deepEqual(
      [seg.PatientID, seg.StudyInstanceUID, seg.FrameOfReferenceUID, seg.AccessionNumber, seg.StudyDescription],
      [image.patientId, image.studyInstanceUid, image.frameOfReferenceUid, image.accessionNumber, image.studyDescription],
    )
    assert.notEqual(seg.SeriesInstanceUID, image.seriesInstanceUid)
    assert.deepEqual([seg.ContentDate, seg.ContentTime, seg.SeriesDescription], ['20261201', '101112', 'Nodules (test)'])
    assert.equal(seg.ContentCreatorName[0].Alphabetic, 'Lovelace^Ada')
  })

  it('refuses to write when every segment is empty', () => {
    assert.throws(
      () => writeSeg([segments[3]!], () => new Uint8Array(sliceSize * slices), series, options),
      (error) => error instanceof SegError && error.kind === 'nothing-to-write',
    )
  })
})
