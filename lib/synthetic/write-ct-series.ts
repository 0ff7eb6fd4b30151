// Writes a phantom as a DICOM CT Image Storage series (explicit VR little endian), one
// Part 10 file per slice, with the patient, study, series, frame of reference, equipment,
// image plane, image pixel, CT image, VOI LUT and SOP common modules, written with dcmjs.
// Stored values are HU + 1024 (rescale slope 1, intercept -1024), as most CT scanners do.
import { writePart10 } from '../dicom/write-part10'
import type { ChestPhantom } from './chest-phantom'

const CT_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.2'

export interface SeriesIdentity {
  patientName: string
  patientId: string
  studyInstanceUid: string
  seriesInstanceUid: string
  frameOfReferenceUid: string
  studyDescription: string
  seriesDescription: string
  accessionNumber: string
  /** YYYYMMDD and HHMMSS. */
  studyDate: string
  studyTime: string
  /** Deterministic SOP Instance UIDs: `${sopUidPrefix}.${slice + 1}`. */
  sopUidPrefix: string
}

/** A UID under 2.25 from a seed-derived integer, so a regenerated study keeps its UIDs. */
export function derivedUid(...parts: number[]): string {
  let value = 0n
  for (const part of parts) value = (value * 1_000_003n + BigInt(Math.abs(Math.trunc(part)))) % 10n ** 30n
  return `2.25.${(value + 10n ** 30n).toString()}`
}

export function writeCtSeries(phantom: ChestPhantom, identity: SeriesIdentity): Uint8Array[] {
  const size = phantom.columns * phantom.rows
  const files: Uint8Array[] = []
  for (let k = 0; k < phantom.slices; k++) {
    const stored = new Uint16Array(size)
    let smallest = Infinity
    let largest = -Infinity
    for (let p = 0; p < size; p++) {
      const value = phantom.hu[k * size + p]! + 1024
      stored[p] = value
      if (value < smallest) smallest = value
      if (value > largest) largest = value
    }
    const sopInstanceUid = `${identity.sopUidPrefix}.${k + 1}`
    const position = [phantom.origin[0], phantom.origin[1], phantom.origin[2] + k * phantom.sliceSpacing]
    const dataset = {
      SpecificCharacterSet: 'ISO_IR 100',
      ImageType: ['ORIGINAL', 'PRIMARY', 'AXIAL'],
      SOPClassUID: CT_IMAGE_STORAGE,
      SOPInstanceUID: sopInstanceUid,
      StudyDate: identity.studyDate,
      SeriesDate: identity.studyDate,
      ContentDate: identity.studyDate,
      StudyTime: identity.studyTime,
      SeriesTime: identity.studyTime,
      ContentTime: identity.studyTime,
      AccessionNumber: identity.accessionNumber,
      Modality: 'CT',
      Manufacturer: 'Parallax synthetic phantom',
      ReferringPhysicianName: '',
      StudyDescription: identity.studyDescription,
      SeriesDescription: identity.seriesDescription,
      ManufacturerModelName: 'chest-phantom',
      PatientName: identity.patientName,
      PatientID: identity.patientId,
      PatientBirthDate: '',
      PatientSex: 'O',
      BodyPartExamined: 'CHEST',
      SliceThickness: phantom.sliceSpacing,
      KVP: 120,
      PatientPosition: 'HFS',
      StudyInstanceUID: identity.studyInstanceUid,
      SeriesInstanceUID: identity.seriesInstanceUid,
      StudyID: '1',
      SeriesNumber: 1,
      InstanceNumber: k + 1,
      ImagePositionPatient: position,
      ImageOrientationPatient: [1, 0, 0, 0, 1, 0],
      FrameOfReferenceUID: identity.frameOfReferenceUid,
      PositionReferenceIndicator: '',
      SliceLocation: position[2],
      SamplesPerPixel: 1,
      PhotometricInterpretation: 'MONOCHROME2',
      Rows: phantom.rows,
      Columns: phantom.columns,
      PixelSpacing: [phantom.pixelSpacing, phantom.pixelSpacing],
      BitsAllocated: 16,
      BitsStored: 16,
      HighBit: 15,
      PixelRepresentation: 0,
      SmallestImagePixelValue: smallest,
      LargestImagePixelValue: largest,
      WindowCenter: [-600, 40],
      WindowWidth: [1500, 400],
      WindowCenterWidthExplanation: ['LUNG', 'MEDIASTINUM'],
      RescaleIntercept: -1024,
      RescaleSlope: 1,
      RescaleType: 'HU',
      AcquisitionNumber: 1,
      PixelData: [stored.buffer],
      _vrMap: { PixelData: 'OW', SmallestImagePixelValue: 'US', LargestImagePixelValue: 'US' },
    }
    files.push(writePart10(dataset, CT_IMAGE_STORAGE, sopInstanceUid))
  }
  return files
}
