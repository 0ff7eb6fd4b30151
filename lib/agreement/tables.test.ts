import assert from 'node:assert/strict'
import { test } from 'node:test'
import { boxMask, type Grid } from '../../tests/support/agreement-masks'
import { compareMasks } from './compare-masks'
import { agreementRecordSchema, type AgreementRecord } from './schema'
import { agreementMatrix, segmentTable, studyAgreement, studyTable, summariseMetric, type AnnotatorMasks } from './tables'

const grid: Grid = { columns: 16, rows: 12, slices: 6, spacing: [0.7, 0.9, 2.5] }
const liver = [boxMask(grid, [2, 2, 1], [8, 8, 4]), boxMask(grid, [2, 2, 1], [9, 8, 4]), boxMask(grid, [3, 2, 1], [8, 8, 3])]
const lesion = boxMask(grid, [10, 5, 2], [12, 7, 3])
const annotators: AnnotatorMasks[] = [
  {
    annotator: 'ann-1',
    segInstanceUid: '1.2.826.0.1.1',
    masks: new Map([
      ['liver', liver[0]!],
      ['lesion', lesion],
    ]),
  },
  {
    annotator: 'ann-2',
    segInstanceUid: '1.2.826.0.1.2',
    masks: new Map([
      ['liver', liver[1]!],
      ['lesion', lesion],
    ]),
  },
  // The third annotator left the lesion out of its SEG: an empty mask.
  { annotator: 'ann-3', segInstanceUid: '1.2.826.0.1.3', masks: new Map([['liver', liver[2]!]]) },
]
const input = {
  projectId: 'proj-1',
  studyInstanceUid: '1.2.826.0.2',
  seriesInstanceUid: '1.2.826.0.2.1',
  segmentKeys: ['liver', 'lesion', 'spleen'],
  annotators,
  consensus: 'staple' as const,
  computedAt: new Date('2026-12-01T12:00:00Z'),
}

test('a study: every segment × annotator pair, figures from compareMasks, a missing segment is empty', () => {
  const { record, consensus } = studyAgreement(input)
  assert.equal(record.pairs.length, 3 * 3)
  const liver12 = record.pairs.find((pair) => pair.segmentKey === 'liver' && pair.annotatorA === 'ann-1' && pair.annotatorB === 'ann-2')!
  const direct = compareMasks(liver[0]!, liver[1]!)
  assert.deepEqual([liver12.dice, liver12.hd95Mm, liver12.assdMm, liver12.segInstanceUidB], [direct.dice, direct.hd95Mm, direct.assdMm, '1.2.826.0.1.2'])
  const lesion13 = record.pairs.find((pair) => pair.segmentKey === 'lesion' && pair.annotatorB === 'ann-3')!
  assert.deepEqual([lesion13.dice, lesion13.hd95Mm, lesion13.volumeBMl], [0, null, 0])
  // Nobody drew the spleen: full agreement by definition, and no consensus mask.
  const spleen = record.pairs.filter((pair) => pair.segmentKey === 'spleen')
  assert.ok(spleen.every((pair) => pair.dice === 1 && pair.hd95Mm === 0))
  assert.deepEqual([...consensus.keys()], ['liver', 'lesion'])
  assert.equal(record.consensus.length, 2)
  const liverConsensus = record.consensus[0]!
  assert.equal(liverConsensus.method, 'staple')
  assert.equal(liverConsensus.raters.length, 3)
  assert.ok(liverConsensus.raters.every((rater) => rater.sensitivity !== null && rater.diceToConsensus > 0.7))
  assert.equal(consensus.get('liver')!.grid.columns, 16)
})

test('the record parses with its schema, and the schema refuses anything but figures and identifiers', () => {
  const { record } = studyAgreement(input)
  assert.deepEqual(agreementRecordSchema.parse(JSON.parse(JSON.stringify(record))), record)
  assert.equal(agreementRecordSchema.safeParse({ ...record, mask: [0, 1, 1] }).success, false)
  const withPixels = { ...record, pairs: [{ ...record.pairs[0]!, data: 'AAEB' }] }
  assert.equal(agreementRecordSchema.safeParse(withPixels).success, false)
  assert.equal(agreementRecordSchema.safeParse({ ...record, studyInstanceUid: 'Jane Doe' }).success, false)
  assert.equal(agreementRecordSchema.safeParse({ ...record, pairs: [{ ...record.pairs[0]!, dice: Number.NaN }] }).success, false)
})

test('tables and the matrix over two studies', () => {
  const first = studyAgreement(input).record
  const second: AgreementRecord = { ...studyAgreement({ ...input, studyInstanceUid: '1.2.826.0.3', annotators: annotators.slice(0, 2) }).record }
  const records = [first, second]
  const segments = segmentTable(records)
  assert.deepEqual(
    segments.map((row) => [row.segmentKey, row.studies, row.pairs]),
    [
      ['liver', 2, 4],
      ['lesion', 2, 4],
      ['spleen', 2, 4],
    ],
  )
  const lesionRow = segments[1]!
  assert.deepEqual([lesionRow.metrics.hd95Mm.n, lesionRow.metrics.hd95Mm.nulls], [2, 2])
  const studies = studyTable(records)
  assert.equal(studies.length, 6)
  assert.deepEqual(studies[0]!.annotators, ['ann-1', 'ann-2', 'ann-3'])
  const matrix = agreementMatrix(records, 'dice', 'liver')
  assert.deepEqual(matrix.annotators, ['ann-1', 'ann-2', 'ann-3'])
  assert.equal(matrix.cells[0]![0], null)
  assert.deepEqual(matrix.cells[0]![1], matrix.cells[1]![0])
  assert.equal(matrix.cells[0]![1]!.n, 2)
  assert.equal(matrix.cells[0]![2]!.n, 1)
  const dice12 = compareMasks(liver[0]!, liver[1]!).dice
  assert.equal(matrix.cells[0]![1]!.mean, dice12)
})

test('metric summaries', () => {
  assert.deepEqual(summariseMetric([3, null, 1, 2, 10]), { n: 4, nulls: 1, mean: 4, median: 2.5, min: 1, max: 10 })
  assert.deepEqual(summariseMetric([null]), { n: 0, nulls: 1, mean: null, median: null, min: null, max: null })
})
