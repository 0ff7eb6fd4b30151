import assert from 'node:assert/strict'
import { test } from 'node:test'
import { compareMasks } from '../agreement/compare-masks'
import type { MaskVolume } from '../agreement/mask-volume'
import { LabelmapDocument } from '../annotation/labelmap-document'
import { orderSeries } from '../dicom/series-geometry'
import type { DicomInstance } from '../dicom/types'
import { writeLabelmapSeg } from '../seg/labelmap-seg'
import { phantomSeries } from '../../tests/support/seg-series'
import { projectAgreement, readSubmittedSeg, type SegMasks } from './browser-agreement'
import { agreementInputSchema, type LabelSchema, type ProjectDto } from './schema'

const mask = (on: number[]): MaskVolume => {
  const data = new Uint8Array(4 * 4 * 3)
  for (const index of on) data[index] = 1
  return { data, columns: 4, rows: 4, slices: 3, spacing: [0.5, 0.5, 2] }
}
const task = (id: string, annotator: string, sop: string | null) => ({
  id,
  annotator: { id: annotator, name: annotator.toUpperCase() },
  status: sop ? 'submitted' : 'open',
  openedAt: null,
  submittedAt: null,
  submission: sop ? { id: `sub${id}`, segSopInstanceUid: sop, segSha256: 'a'.repeat(64), storedAt: 'download', pacsId: null, figures: [], submittedAt: '' } : null,
})
const project = {
  id: 'p1',
  labelSchema: { segments: [{ number: 1 }, { number: 2 }] },
  studies: [
    { id: 's1', studyInstanceUid: '1.1', studyDescription: 'One', tasks: [task('t1', 'ann', '9.1'), task('t2', 'bob', '9.2')] },
    { id: 's2', studyInstanceUid: '1.2', studyDescription: 'Two', tasks: [task('t3', 'ann', '9.3'), task('t4', 'bob', null)] },
  ],
} as unknown as ProjectDto
const seg = (sop: string, study: string, masks: [number, MaskVolume][]): SegMasks => ({
  segSopInstanceUid: sop,
  studyInstanceUid: study,
  seriesInstanceUid: `${study}.5`,
  masks: new Map(masks),
})

test('agreement: SEGs matched to submissions by UID; numbers per segment per pair, nothing else', () => {
  const a = mask([5, 6, 9, 10, 21, 22])
  const b = mask([5, 6, 10, 11, 21, 37])
  const result = projectAgreement(project, [
    seg('9.1', '1.1', [[1, a]]),
    seg('9.2', '1.1', [
      [1, b],
      [2, mask([0])],
    ]),
    seg('9.3', '1.2', [[1, a]]),
    seg('9.9', '1.2', []),
  ])
  assert.equal(result.studies.length, 1)
  const [study] = result.studies
  assert.equal(study!.studyId, 's1')
  assert.equal(study!.records.length, 2)
  const expected = compareMasks(a, b)
  const [first, second] = study!.records
  assert.deepEqual(first, {
    studyId: 's1',
    segmentNumber: 1,
    submissionAId: 'subt1',
    submissionBId: 'subt2',
    dice: expected.dice,
    jaccard: expected.jaccard,
    hd95Mm: expected.hd95Mm,
    assdMm: expected.assdMm,
    volumeDifferenceMl: expected.volumeDifferenceMl,
  })
  // Segment 2: only bob drew it; ann's is empty → Dice 0 and no distances.
  assert.equal(second!.segmentNumber, 2)
  assert.equal(second!.dice, 0)
  assert.equal(second!.hd95Mm, null)
  for (const record of study!.records) agreementInputSchema.parse(record)
  assert.ok(result.notices.some((notice) => notice.includes('9.9')))
  assert.ok(result.notices.some((notice) => notice.startsWith('Two:')))
})

test('agreement: SEGs of one study on different series are not compared', () => {
  const result = projectAgreement(project, [seg('9.1', '1.1', [[1, mask([1])]]), { ...seg('9.2', '1.1', [[1, mask([1])]]), seriesInstanceUid: 'other' }])
  assert.equal(result.studies.length, 0)
  assert.ok(result.notices.some((notice) => notice.includes('different series')))
})

test('agreement: SEGs written from two documents read back onto their series, matched to the schema by name (the SEG renumbers), spacing from the series', () => {
  const { series: source } = phantomSeries(42, 6)
  const instances = source.instances as DicomInstance[]
  const series = { seriesInstanceUid: source.seriesInstanceUid, instances, geometry: orderSeries(instances).geometry }
  const code = { scheme: 'SCT', value: '49755003', meaning: 'Morphologically abnormal structure' } as const
  const labelSchema: LabelSchema = {
    segments: [
      { number: 1, name: 'Organ', colour: '#00ff00', category: code, type: code },
      { number: 2, name: 'Lesion', colour: '#ff0000', category: code, type: code },
    ],
  }
  const grid = { columns: instances[0]!.columns, rows: instances[0]!.rows, slices: instances.length }
  const segments = labelSchema.segments.map((segment) => ({
    number: segment.number,
    name: segment.name,
    color: [255, 0, 0] as [number, number, number],
    category: null,
    type: null,
    source: { kind: 'user', userId: 'u' } as const,
  }))
  const written = [
    [20, 21, 22, 33, 34, 150, 151],
    [21, 22, 23, 34, 35, 151, 152, 300],
  ].map((voxels, who) => {
    const document = new LabelmapDocument(series.seriesInstanceUid, grid, segments)
    // Annotator 0 leaves "Organ" empty, so its SEG numbers "Lesion" 1.
    document.transact('paint', (edit) => {
      for (const index of voxels) edit.paint(index, 2)
      if (who === 1) edit.paint(400, 1)
    })
    return { document, seg: writeLabelmapSeg(document, series, { seriesDescription: 'Test', createdAt: new Date(0), author: 'u', edited: () => false }) }
  })
  assert.equal(written[0]!.seg.segmentNumbers.get(2), 1)
  const reads = written.map(({ seg }) => readSubmittedSeg(seg.bytes, { studyInstanceUid: instances[0]!.studyInstanceUid }, [series], labelSchema))
  assert.deepEqual([...reads[0]!.seg.masks.keys()], [2])
  assert.deepEqual([...reads[1]!.seg.masks.keys()].sort(), [1, 2])
  const lesion = reads.map((read) => read.seg.masks.get(2)!)
  assert.deepEqual(lesion[0]!.spacing, [3.5, 3.5, series.geometry.sliceSpacing])
  const roundTrip = written.map(({ document }) => ({ ...lesion[0]!, data: document.mask(2) }))
  assert.deepEqual(
    lesion.map((mask) => mask.data),
    roundTrip.map((mask) => mask.data),
  )

  const withSops = {
    ...project,
    labelSchema,
    studies: [
      {
        ...project.studies[0]!,
        studyInstanceUid: instances[0]!.studyInstanceUid,
        tasks: [task('t1', 'ann', reads[0]!.seg.segSopInstanceUid), task('t2', 'bob', reads[1]!.seg.segSopInstanceUid)],
      },
    ],
  } as unknown as ProjectDto
  const [study] = projectAgreement(
    withSops,
    reads.map((read) => read.seg),
  ).studies
  const lesionRecord = study!.records.find((record) => record.segmentNumber === 2)!
  assert.equal(lesionRecord.dice, compareMasks(roundTrip[0]!, roundTrip[1]!).dice)
  assert.equal(lesionRecord.hd95Mm, compareMasks(roundTrip[0]!, roundTrip[1]!).hd95Mm)
  assert.equal(study!.records.find((record) => record.segmentNumber === 1)!.dice, 0)
})
