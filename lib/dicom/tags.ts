// The DICOM attributes ingestion reads, in dicom-parser's key format (`xGGGGEEEE`,
// lower-case hex), so the rest of lib/dicom says `TAG.rows` rather than 'x00280010'.

export const TAG = {
  // File meta information (group 0002)
  mediaStorageSopClassUid: 'x00020002',
  mediaStorageSopInstanceUid: 'x00020003',
  transferSyntaxUid: 'x00020010',

  // Directory (DICOMDIR)
  directoryRecordSequence: 'x00041220',
  referencedFileId: 'x00041500',

  specificCharacterSet: 'x00080005',
  sopClassUid: 'x00080016',
  sopInstanceUid: 'x00080018',
  studyDate: 'x00080020',
  studyTime: 'x00080030',
  accessionNumber: 'x00080050',
  referringPhysicianName: 'x00080090',
  studyId: 'x00200010',
  frameOfReferenceUid: 'x00200052',
  modality: 'x00080060',
  studyDescription: 'x00081030',
  seriesDescription: 'x0008103e',

  patientName: 'x00100010',
  patientId: 'x00100020',
  patientBirthDate: 'x00100030',
  patientSex: 'x00100040',

  sliceThickness: 'x00180050',
  imagerPixelSpacing: 'x00181164',

  studyInstanceUid: 'x0020000d',
  seriesInstanceUid: 'x0020000e',
  seriesNumber: 'x00200011',
  instanceNumber: 'x00200013',
  imagePositionPatient: 'x00200032',
  imageOrientationPatient: 'x00200037',
  planePositionSequence: 'x00209113',
  planeOrientationSequence: 'x00209116',

  samplesPerPixel: 'x00280002',
  photometricInterpretation: 'x00280004',
  numberOfFrames: 'x00280008',
  rows: 'x00280010',
  columns: 'x00280011',
  pixelSpacing: 'x00280030',
  bitsAllocated: 'x00280100',
  pixelRepresentation: 'x00280103',
  windowCenter: 'x00281050',
  windowWidth: 'x00281051',
  rescaleIntercept: 'x00281052',
  rescaleSlope: 'x00281053',
  redPaletteDescriptor: 'x00281101',
  greenPaletteDescriptor: 'x00281102',
  bluePaletteDescriptor: 'x00281103',
  redPaletteData: 'x00281201',
  greenPaletteData: 'x00281202',
  bluePaletteData: 'x00281203',
  pixelMeasuresSequence: 'x00289110',
  frameVoiLutSequence: 'x00289132',
  pixelValueTransformationSequence: 'x00289145',

  sharedFunctionalGroupsSequence: 'x52009229',
  perFrameFunctionalGroupsSequence: 'x52009230',

  floatPixelData: 'x7fe00008',
  doubleFloatPixelData: 'x7fe00009',
  pixelData: 'x7fe00010',
} as const

/** `x0020000d` → `(0020,000D)`, the way DICOM tags are written for people. */
export function formatTag(tag: string): string {
  const hex = tag.slice(1).toUpperCase()
  return `(${hex.slice(0, 4)},${hex.slice(4)})`
}
