import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { groupStudies } from './group-studies'
import type { DicomInstance } from './types'

let next = 0
function instance(overrides: Partial<DicomInstance>): DicomInstance {
  next++
  return {
    source: `file-${next}`,
    fileIndex: next,
    sopInstanceUid: `1.2.3.${next}`,
    sopClassUid: '1.2.840.10008.5.1.4.1.1.2',
    transferSyntaxUid: '1.2.840.10008.1.2.1',
    studyInstanceUid: '1.2.9.1',
    seriesInstanceUid: '1.2.9.1.1',
    patientName: 'Doe^Jane',
    patientId: 'P1',
    patientBirthDate: '',
    patientSex: '',
    studyDate: '20240101',
    studyTime: '120000',
    studyDescription: '',
    accessionNumber: '',
    studyId: '',
    referringPhysicianName: '',
    frameOfReferenceUid: '',
    seriesDescription: '',
    seriesNumber: 1,
    modality: 'CT',
    instanceNumber: 1,
    rows: 64,
    columns: 64,
    numberOfFrames: 1,
    samplesPerPixel: 1,
    photometricInterpretation: 'MONOCHROME2',
    bitsAllocated: 16,
    pixelRepresentation: 0,
    hasPixelData: true,
    imagePositionPatient: null,
    imageOrientationPatient: null,
    pixelSpacing: null,
    sliceThickness: null,
    rescaleSlope: 1,
    rescaleIntercept: 0,
    windowCenter: null,
    windowWidth: null,
    warnings: [],
    ...overrides,
  }
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
