import assert from 'node:assert/strict'
import { test } from 'node:test'
import { compareMasks } from '../agreement/compare-masks'
import type { MaskVolume } from '../agreement/mask-volume'
import { projectAgreement, type SegMasks } from './browser-agreement'
import { agreementInputSchema, type ProjectDto } from './schema'

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
