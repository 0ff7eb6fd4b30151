import type { ImageOrientation, Vec3 } from '../dicom/geometry'
import type { DicomInstance } from '../dicom/types'

// WADO-RS instance metadata (DICOM JSON, PS3.18 F.2) → the same DicomInstance that local
// files produce, so PACS studies go through the same grouping, ordering and geometry checks.

type Attribute = { vr?: string; Value?: unknown[]; BulkDataURI?: string; InlineBinary?: string }
export type DicomJsonDataset = Record<string, Attribute>

const first = (dataset: DicomJsonDataset, tag: string): unknown => dataset[tag]?.Value?.[0]

function text(dataset: DicomJsonDataset, tag: string): string {
  const value = first(dataset, tag)
  if (typeof value === 'string') return value.trim()
  if (typeof value === 'number') return String(value)
  if (value && typeof value === 'object' && 'Alphabetic' in value) return String((value as { Alphabetic: unknown }).Alphabetic ?? '').trim()
  return ''
}

function numbers(dataset: DicomJsonDataset, tag: string): number[] {
  return (dataset[tag]?.Value ?? []).map((value) => (typeof value === 'number' ? value : Number(value))).filter((value) => Number.isFinite(value))
}

function integer(dataset: DicomJsonDataset, tag: string): number | null {
  const [value] = numbers(dataset, tag)
  return value === undefined ? null : Math.trunc(value)
}

export function instanceFromDicomJson(raw: DicomJsonDataset, fileIndex: number): DicomInstance | null {
  const dataset = Object.fromEntries(Object.entries(raw).map(([tag, attribute]) => [tag.toUpperCase(), attribute]))
  const sopInstanceUid = text(dataset, '00080018')
  const studyInstanceUid = text(dataset, '0020000D')
  const seriesInstanceUid = text(dataset, '0020000E')
  if (!sopInstanceUid || !studyInstanceUid || !seriesInstanceUid) return null
  const rows = integer(dataset, '00280010') ?? 0
  const columns = integer(dataset, '00280011') ?? 0
  const hasPixelData = rows > 0 && columns > 0
  const position = numbers(dataset, '00200032')
  const orientation = numbers(dataset, '00200037')
  const spacing = numbers(dataset, '00280030')
  const center = numbers(dataset, '00281050')
  const width = numbers(dataset, '00281051')
  return {
    source: `${seriesInstanceUid}/${sopInstanceUid}`,
    fileIndex,
    sopInstanceUid,
    sopClassUid: text(dataset, '00080016'),
    transferSyntaxUid: text(dataset, '00083002') || text(dataset, '00020010'),
    studyInstanceUid,
    seriesInstanceUid,
    patientName: text(dataset, '00100010'),
    patientId: text(dataset, '00100020'),
    patientBirthDate: text(dataset, '00100030'),
    patientSex: text(dataset, '00100040'),
    studyDate: text(dataset, '00080020'),
    studyTime: text(dataset, '00080030'),
    studyDescription: text(dataset, '00081030'),
    accessionNumber: text(dataset, '00080050'),
    studyId: text(dataset, '00200010'),
    referringPhysicianName: text(dataset, '00080090'),
    frameOfReferenceUid: text(dataset, '00200052'),
    seriesDescription: text(dataset, '0008103E'),
    seriesNumber: integer(dataset, '00200011'),
    modality: text(dataset, '00080060'),
    instanceNumber: integer(dataset, '00200013'),
    rows,
    columns,
    numberOfFrames: hasPixelData ? (integer(dataset, '00280008') ?? 1) : 0,
    samplesPerPixel: integer(dataset, '00280002') ?? 1,
    photometricInterpretation: text(dataset, '00280004'),
    bitsAllocated: integer(dataset, '00280100') ?? 0,
    pixelRepresentation: integer(dataset, '00280103') ?? 0,
    hasPixelData,
    imagePositionPatient: position.length === 3 ? (position as Vec3) : null,
    imageOrientationPatient: orientation.length === 6 ? (orientation as ImageOrientation) : null,
    pixelSpacing: spacing.length === 2 ? (spacing as [number, number]) : null,
    sliceThickness: numbers(dataset, '00180050')[0] ?? null,
    rescaleSlope: numbers(dataset, '00281053')[0] ?? 1,
    rescaleIntercept: numbers(dataset, '00281052')[0] ?? 0,
    windowCenter: center[0] ?? null,
    windowWidth: width[0] ?? null,
    warnings: [],
  }
}
