// The modules every object Parallax writes shares (PS3.3): SOP Common, Patient, General
// Study, General Series, General Equipment, and references to the study's images; the code
// helpers and the DA/TM/DT/PN values they are written with. Pure (dcmjs keywords, no
// bytes), for the measurement report (lib/findings) and any other writer (a segmentation).

export type Dataset = Record<string, unknown>

export const MANUFACTURER = 'Parallax'

// ---- Codes ---------------------------------------------------------------------------

export interface Code {
  value: string
  scheme: string
  meaning: string
}

export const dcm = (value: string, meaning: string): Code => ({ value, scheme: 'DCM', meaning })
export const sct = (value: string, meaning: string): Code => ({ value, scheme: 'SCT', meaning })
// Our own coding scheme (PS3.16 8.2 private schemes start with 99) for what DICOM has no code for.
export const PARALLAX_SCHEME = '99PARALLAX'
export const parallax = (value: string, meaning: string): Code => ({ value, scheme: PARALLAX_SCHEME, meaning })

export function codeSequence(code: Code): Dataset[] {
  return [{ CodeValue: code.value, CodingSchemeDesignator: code.scheme, CodeMeaning: code.meaning }]
}

// ---- Modules -------------------------------------------------------------------------

/** The patient and study the written object belongs to, copied from the study's images. */
export interface PatientStudy {
  patientName: string
  patientId: string
  patientBirthDate: string
  patientSex: string
  studyInstanceUid: string
  studyDate: string
  studyTime: string
  studyId: string
  accessionNumber: string
  referringPhysicianName: string
  studyDescription: string
}

/** An image of the study, as a reference needs it. */
export interface ImageReference {
  sopClassUid: string
  sopInstanceUid: string
  seriesInstanceUid: string
}

export function sopCommon(sopClassUid: string, sopInstanceUid: string, createdAt: Date): Dataset {
  return {
    // dcmjs writes PN, LO, SH, ST and UT as UTF-8.
    SpecificCharacterSet: 'ISO_IR 192',
    SOPClassUID: sopClassUid,
    SOPInstanceUID: sopInstanceUid,
    InstanceCreationDate: dicomDate(createdAt),
    InstanceCreationTime: dicomTime(createdAt),
    // Every date and time we write is UTC.
    TimezoneOffsetFromUTC: '+0000',
    // Private coding schemes are to be identified (PS3.3 C.12.1.1.2).
    CodingSchemeIdentificationSequence: [{ CodingSchemeDesignator: PARALLAX_SCHEME, CodingSchemeName: 'Parallax local codes', CodingSchemeResponsibleOrganization: MANUFACTURER }],
  }
}

/** Patient and General Study. */
export function patientAndStudy(context: PatientStudy): Dataset {
  return {
    PatientName: context.patientName,
    PatientID: context.patientId,
    PatientBirthDate: context.patientBirthDate,
    PatientSex: context.patientSex,
    StudyInstanceUID: context.studyInstanceUid,
    StudyDate: context.studyDate,
    StudyTime: context.studyTime,
    StudyID: context.studyId,
    AccessionNumber: context.accessionNumber,
    ReferringPhysicianName: context.referringPhysicianName,
    StudyDescription: context.studyDescription,
  }
}

export interface SeriesIdentity {
  modality: string
  seriesInstanceUid: string
  seriesNumber: number
  seriesDescription: string
}

/** General Series (or a modality's series module built on it) and General Equipment. */
export function seriesAndEquipment(series: SeriesIdentity): Dataset {
  return {
    Modality: series.modality,
    SeriesInstanceUID: series.seriesInstanceUid,
    SeriesNumber: series.seriesNumber,
    SeriesDescription: series.seriesDescription,
    Manufacturer: MANUFACTURER,
  }
}

export function imagesBySeries(images: ImageReference[]): Map<string, ImageReference[]> {
  const series = new Map<string, ImageReference[]>()
  for (const image of images) series.set(image.seriesInstanceUid, [...(series.get(image.seriesInstanceUid) ?? []), image])
  return series
}

/** The Hierarchical SOP Instance Reference Macro: one study, its series, their images. */
export function hierarchicalReference(studyInstanceUid: string, images: ImageReference[]): Dataset {
  return {
    StudyInstanceUID: studyInstanceUid,
    ReferencedSeriesSequence: [...imagesBySeries(images)].map(([seriesInstanceUid, seriesImages]) => ({
      SeriesInstanceUID: seriesInstanceUid,
      ReferencedSOPSequence: seriesImages.map(referencedSop),
    })),
  }
}

export function referencedSop(image: ImageReference): Dataset {
  return { ReferencedSOPClassUID: image.sopClassUid, ReferencedSOPInstanceUID: image.sopInstanceUid }
}

// ---- Values --------------------------------------------------------------------------

/** A new UID from a random UUID under 2.25 (PS3.5 B.2). */
export function newUuidUid(): string {
  return `2.25.${BigInt(`0x${crypto.randomUUID().replaceAll('-', '')}`).toString()}`
}

/**
 * A display name as a DICOM person name (PS3.5 6.2): "First Middle Last" becomes
 * "Last^First^Middle", the last word taken as the family name; one word is a family name;
 * a name already holding carets is kept. A display name has no structure to go by, so
 * names whose family name is not last come out wrong, but readably so.
 */
export function personName(displayName: string): string {
  const name = displayName.replace(/[\\=]/g, ' ').trim()
  if (name.includes('^')) return name
  const words = name.split(/\s+/)
  if (words.length < 2) return name
  const family = words.pop()!
  const [given, ...middle] = words
  return [family, given, ...(middle.length > 0 ? [middle.join(' ')] : [])].join('^')
}

export function parseInstant(iso: string): Date {
  const instant = new Date(iso)
  if (Number.isNaN(instant.getTime())) throw new Error(`"${iso}" is not a date and time`)
  return instant
}

const pad = (value: number, width = 2) => value.toString().padStart(width, '0')

export function dicomDate(instant: Date): string {
  return `${pad(instant.getUTCFullYear(), 4)}${pad(instant.getUTCMonth() + 1)}${pad(instant.getUTCDate())}`
}

export function dicomTime(instant: Date): string {
  return `${pad(instant.getUTCHours())}${pad(instant.getUTCMinutes())}${pad(instant.getUTCSeconds())}`
}

/** DT to the millisecond, with its UTC offset written out so it reads right on its own. */
export function dicomDateTime(instant: Date): string {
  return `${dicomDate(instant)}${dicomTime(instant)}.${pad(instant.getUTCMilliseconds(), 3)}+0000`
}
