import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { StudyRow } from './qido'
import { nextSort, sortStudies } from './study-sort'

const row = (uid: string, fields: Partial<StudyRow>): StudyRow => ({
  studyInstanceUid: uid,
  patientName: '',
  patientId: '',
  studyDate: '',
  studyTime: '',
  accessionNumber: '',
  studyDescription: '',
  modalities: [],
  seriesCount: null,
  instanceCount: null,
  ...fields,
})

const rows = [
  row('1', { patientName: 'doe^jane', patientId: 'P10', studyDate: '20240102', studyTime: '0900', instanceCount: 57, modalities: ['MR'] }),
  row('2', { patientName: 'Adams^Ann', patientId: 'P9', studyDate: '20240102', studyTime: '0800', instanceCount: 299, modalities: ['PT'] }),
  row('3', { patientName: '', patientId: 'P100', studyDate: '', instanceCount: null, modalities: [] }),
  row('4', { patientName: 'Brown^Bo', patientId: 'p11', studyDate: '19991231', instanceCount: 1, modalities: ['CT'] }),
]
const order = (column: Parameters<typeof sortStudies>[1]['column'], direction: 1 | -1) => sortStudies(rows, { column, direction }).map((r) => r.studyInstanceUid)

describe('sortStudies', () => {
  it('sorts names case-insensitively, blanks last in both directions', () => {
    assert.deepEqual(order('patientName', 1), ['2', '4', '1', '3'])
    assert.deepEqual(order('patientName', -1), ['1', '4', '2', '3'])
  })

  it('sorts IDs in natural order (P9 before P10)', () => {
    assert.deepEqual(order('patientId', 1), ['2', '1', '4', '3'])
  })

  it('sorts by date, then time', () => {
    assert.deepEqual(order('studyDate', 1), ['4', '2', '1', '3'])
    assert.deepEqual(order('studyDate', -1), ['1', '2', '4', '3'])
  })

  it('sorts counts numerically and modalities by code', () => {
    assert.deepEqual(order('instanceCount', -1), ['2', '1', '4', '3'])
    assert.deepEqual(order('modalities', 1), ['4', '1', '2', '3'])
  })

  it('does not change the rows it was given', () => {
    const before = rows.map((r) => r.studyInstanceUid)
    sortStudies(rows, { column: 'patientName', direction: 1 })
    assert.deepEqual(
      rows.map((r) => r.studyInstanceUid),
      before,
    )
  })
})

describe('nextSort', () => {
  it('reverses the current column and starts another ascending', () => {
    assert.deepEqual(nextSort({ column: 'studyDate', direction: -1 }, 'studyDate'), { column: 'studyDate', direction: 1 })
    assert.deepEqual(nextSort({ column: 'studyDate', direction: 1 }, 'studyDate'), { column: 'studyDate', direction: -1 })
    assert.deepEqual(nextSort({ column: 'studyDate', direction: -1 }, 'patientId'), { column: 'patientId', direction: 1 })
  })
})
