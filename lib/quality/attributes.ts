// The attributes the quality report needs beyond what ingestion keeps (lib/dicom types):
// the burned-in annotation flag, body part, gantry tilt, padding value, whether a rescale
// is given, de-identification, and which identifying attributes hold a value. Read from
// the file's bytes with dicom-parser up to the pixel data; pure, for Node and the browser.
import dicomParser, { type DataSet } from 'dicom-parser'
import { z } from 'zod'

/** Attributes that identify a patient, staff or site (after PS3.15's Basic Profile), by keyword and tag. Patient ID is left out: research cohorts keep a pseudonym there. */
export const IDENTIFYING_ATTRIBUTES = {
  PatientName: 'x00100010',
  PatientBirthDate: 'x00100030',
  PatientBirthTime: 'x00100032',
  OtherPatientIDs: 'x00101000',
  OtherPatientIDsSequence: 'x00101002',
  OtherPatientNames: 'x00101001',
  PatientBirthName: 'x00101005',
  PatientAddress: 'x00101040',
  PatientMotherBirthName: 'x00101060',
  PatientTelephoneNumbers: 'x00102154',
  MedicalRecordLocator: 'x00101090',
  PatientComments: 'x00104000',
  AccessionNumber: 'x00080050',
  InstitutionName: 'x00080080',
  InstitutionAddress: 'x00080081',
  ReferringPhysicianName: 'x00080090',
  ReferringPhysicianAddress: 'x00080092',
  ReferringPhysicianTelephoneNumbers: 'x00080094',
  StationName: 'x00081010',
  PerformingPhysicianName: 'x00081050',
  NameOfPhysiciansReadingStudy: 'x00081060',
  OperatorsName: 'x00081070',
  RequestingPhysician: 'x00321032',
  DeviceSerialNumber: 'x00181000',
} as const

export type IdentifyingAttribute = keyof typeof IDENTIFYING_ATTRIBUTES

export const qualityAttributesSchema = z.object({
  burnedInAnnotation: z.string().nullable(),
  bodyPartExamined: z.string().nullable(),
  gantryTiltDegrees: z.number().nullable(),
  /** Pixel Padding Value (0028,0120), a stored value. */
  pixelPaddingValue: z.number().nullable(),
  hasRescale: z.boolean(),
  /** Patient Identity Removed (0012,0062) is YES. */
  identityRemoved: z.boolean(),
  /** Identifying attributes that hold a value. */
  identifying: z.array(z.string()),
  /** Why the attributes could not be read, when they could not. */
  unreadable: z.string().nullable(),
})
export type QualityAttributes = z.infer<typeof qualityAttributesSchema>

const PIXEL_DATA = 'x7fe00010'

export function readQualityAttributes(bytes: Uint8Array): QualityAttributes {
  let dataSet: DataSet
  try {
    dataSet = dicomParser.parseDicom(bytes, { untilTag: PIXEL_DATA })
  } catch (error) {
    const reason = error instanceof Error ? error.message : typeof error === 'object' && error && 'exception' in error ? String(error.exception) : String(error)
    return {
      burnedInAnnotation: null,
      bodyPartExamined: null,
      gantryTiltDegrees: null,
      pixelPaddingValue: null,
      hasRescale: false,
      identityRemoved: false,
      identifying: [],
      unreadable: reason,
    }
  }
  const text = (tag: string) => {
    const value = dataSet.elements[tag] ? dataSet.string(tag)?.trim() : undefined
    return value ? value : null
  }
  const number = (tag: string) => {
    const value = text(tag)
    return value !== null && Number.isFinite(Number(value)) ? Number(value) : null
  }
  const padding = dataSet.elements.x00280120
  const signed = dataSet.uint16('x00280103') === 1
  const identifying = Object.entries(IDENTIFYING_ATTRIBUTES)
    .filter(([, tag]) => {
      const element = dataSet.elements[tag]
      if (!element) return false
      if (element.items) return element.items.length > 0
      return element.length > 0 && (text(tag) ?? '').replace(/[\^=\s]/g, '') !== ''
    })
    .map(([keyword]) => keyword)
  return {
    burnedInAnnotation: text('x00280301')?.toUpperCase() ?? null,
    bodyPartExamined: text('x00180015')?.toUpperCase() ?? null,
    gantryTiltDegrees: number('x00181120'),
    pixelPaddingValue: padding && padding.length >= 2 ? (signed ? dataSet.int16('x00280120')! : dataSet.uint16('x00280120')!) : null,
    hasRescale: Boolean(dataSet.elements.x00281052 && dataSet.elements.x00281053),
    identityRemoved: text('x00120062')?.toUpperCase() === 'YES',
    identifying,
    unreadable: null,
  }
}
