import type { DicomInstance } from '../../lib/dicom/types'

/**
 * A parsed single-frame CT instance for unit tests, with empty identifying attributes and no
 * geometry; each test sets what it is about. Numbered from `n` (source, file index, SOP UID).
 */
export function testInstance(n: number, overrides: Partial<DicomInstance> = {}): DicomInstance {
  return {
    source: `file-${n}`,
    fileIndex: n,
    sopInstanceUid: `1.2.3.${n}`,
    sopClassUid: '1.2.840.10008.5.1.4.1.1.2',
    transferSyntaxUid: '1.2.840.10008.1.2.1',
    studyInstanceUid: '1.2.3',
    seriesInstanceUid: '1.2.3.1',
    patientName: '',
    patientId: '',
    patientBirthDate: '',
    patientSex: '',
    studyDate: '',
    studyTime: '',
    studyDescription: '',
    accessionNumber: '',
    studyId: '',
    referringPhysicianName: '',
    frameOfReferenceUid: '',
    seriesDescription: '',
    seriesNumber: 1,
    modality: 'CT',
    instanceNumber: n,
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
