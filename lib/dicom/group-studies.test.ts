import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { groupStudies } from './group-studies'
import type { DicomInstance } from './types'
import { testInstance } from '../../tests/support/dicom-instance'

let next = 0
function instance(overrides: Partial<DicomInstance>): DicomInstance {
  next++
  return testInstance(next, {
    instanceNumber: 1,
    studyInstanceUid: '1.2.9.1',
    seriesInstanceUid: '1.2.9.1.1',
    patientName: 'Doe^Jane',
    patientId: 'P1',
    studyDate: '20240101',
    studyTime: '120000',
    ...overrides,
  })
}

describe('groupStudies', () => {
  it('nests patients, studies and series, and orders them for display', () => {
    const patients = groupStudies([
      instance({ patientId: 'P2', patientName: 'Zeta^Zed', studyInstanceUid: '9.1', seriesInstanceUid: '9.1.1' }),
      instance({ studyInstanceUid: '1.1', studyDate: '20200101', seriesInstanceUid: '1.1.1', seriesNumber: 3 }),
      instance({ studyInstanceUid: '1.1', studyDate: '20200101', seriesInstanceUid: '1.1.2', seriesNumber: 1 }),
      instance({ studyInstanceUid: '1.1', studyDate: '20200101', seriesInstanceUid: '1.1.3', seriesNumber: null }),
      instance({ studyInstanceUid: '1.1', studyDate: '20200101', seriesInstanceUid: '1.1.4', seriesNumber: 2 }),
      instance({ studyInstanceUid: '1.2', studyDate: '20230505', studyTime: '080000', seriesInstanceUid: '1.2.1' }),
      instance({ studyInstanceUid: '1.3', studyDate: '20230505', studyTime: '170000', seriesInstanceUid: '1.3.1' }),
      instance({ studyInstanceUid: '1.4', studyDate: '', seriesInstanceUid: '1.4.1' }),
    ])
    assert.deepEqual(
      patients.map((patient) => patient.patientName),
      ['Doe^Jane', 'Zeta^Zed'],
    )
    const [jane] = patients
    // Newest first (date, then time); undated last.
    assert.deepEqual(
      jane!.studies.map((study) => study.studyInstanceUid),
      ['1.3', '1.2', '1.1', '1.4'],
    )
    // By SeriesNumber; unnumbered last.
    assert.deepEqual(
      jane!.studies[2]!.series.map((series) => series.seriesNumber),
      [1, 2, 3, null],
    )
  })

  it('sums frames over a series: multi-frame counts each frame, non-image objects none', () => {
    const [patient] = groupStudies([
      instance({ seriesInstanceUid: '5.1', modality: 'SEG', numberOfFrames: 13 }),
      instance({ seriesInstanceUid: '5.1', modality: 'SEG', numberOfFrames: 2 }),
      instance({ seriesInstanceUid: '5.2', modality: 'SR', hasPixelData: false, numberOfFrames: 0 }),
    ])
    const series = patient!.studies[0]!.series
    assert.deepEqual(
      series.map((entry) => [entry.modality, entry.instances.length, entry.frameCount]),
      [
        ['SEG', 2, 15],
        ['SR', 1, 0],
      ],
    )
  })

  it('keeps patients without an ID apart by name, and one ID under one patient', () => {
    const patients = groupStudies([
      instance({ patientId: '', patientName: 'Anon^A' }),
      instance({ patientId: '', patientName: 'Anon^B' }),
      instance({ patientId: 'P1', patientName: 'Doe^Jane' }),
      instance({ patientId: 'P1', patientName: 'Doe^Jane', studyInstanceUid: '7.7' }),
    ])
    assert.deepEqual(
      patients.map((patient) => [patient.patientName, patient.studies.length]),
      [
        ['Anon^A', 1],
        ['Anon^B', 1],
        ['Doe^Jane', 2],
      ],
    )
  })
})
