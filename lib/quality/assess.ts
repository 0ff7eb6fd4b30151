// The data-quality report over parsed instances: per study and series, everything that
// decides whether a model's result on it can be trusted, or whether it may leave for
// research. Geometry comes from the viewer's own ordering (series-geometry.ts), so the
// report and the volume warnings never disagree.
import { orderSeries } from '../dicom/series-geometry'
import type { DicomInstance, GeometryWarningKind } from '../dicom/types'
import type { QualityAttributes } from './attributes'
import type { QualityCode, QualityFinding, QualitySeverity } from './findings'
import type { RequirementSource } from './requirements'

/** HU of air; a CT value below it (beyond a noise margin the scanner clips) is not physical. */
export const LOWEST_PHYSICAL_HU = -1024

export interface PixelSummary {
  /** Modality values below the physical range that are not the padding value. */
  belowPhysical: number
  /** The most frequent such value, when there are any (a single one is an undeclared padding value). */
  commonestBelow: number | null
  commonestBelowCount: number
  /** Pixels holding the declared padding value. */
  padding: number
}

export interface QualityInstance {
  instance: DicomInstance
  attributes: QualityAttributes
  /** From the decoded first frame, when it was decoded. */
  pixels?: PixelSummary
}

export interface QualityOptions {
  /** Checks the series against this model's manifest (modality, body part, thickness, orientation). */
  model?: RequirementSource
}

/** Summarises one image's modality values for the report (CT only: other modalities have no physical range in their values). */
export function summarisePixels(
  values: ArrayLike<number>,
  instance: Pick<DicomInstance, 'modality' | 'rescaleSlope' | 'rescaleIntercept'>,
  attributes: Pick<QualityAttributes, 'pixelPaddingValue'>,
): PixelSummary {
  const summary: PixelSummary = { belowPhysical: 0, commonestBelow: null, commonestBelowCount: 0, padding: 0 }
  const padding = attributes.pixelPaddingValue === null ? null : attributes.pixelPaddingValue * instance.rescaleSlope + instance.rescaleIntercept
  const below = new Map<number, number>()
  for (let p = 0; p < values.length; p++) {
    const value = values[p]!
    if (value === padding) summary.padding++
    else if (instance.modality === 'CT' && value < LOWEST_PHYSICAL_HU) below.set(value, (below.get(value) ?? 0) + 1)
  }
  for (const [value, count] of below) {
    summary.belowPhysical += count
    if (count > summary.commonestBelowCount) {
      summary.commonestBelow = value
      summary.commonestBelowCount = count
    }
  }
  return summary
}

const geometry: Record<GeometryWarningKind, { code: QualityCode; severity: QualitySeverity }> = {
  gap: { code: 'gap', severity: 'warning' },
  'irregular-spacing': { code: 'irregular-spacing', severity: 'warning' },
  'duplicate-position': { code: 'duplicate-position', severity: 'warning' },
  'mixed-orientation': { code: 'mixed-orientation', severity: 'error' },
  'no-geometry': { code: 'no-geometry', severity: 'error' },
  'mixed-size': { code: 'mixed-size', severity: 'error' },
  sheared: { code: 'sheared', severity: 'warning' },
  'multi-frame': { code: 'multi-frame', severity: 'info' },
}

const IDENTIFYING_WORDS: Record<string, string> = {
  PatientName: "Patient's Name",
  PatientBirthDate: "Patient's Birth Date",
  PatientBirthTime: "Patient's Birth Time",
  OtherPatientIDs: 'Other Patient IDs',
  OtherPatientIDsSequence: 'Other Patient IDs Sequence',
  OtherPatientNames: 'Other Patient Names',
  PatientBirthName: "Patient's Birth Name",
  PatientAddress: "Patient's Address",
  PatientMotherBirthName: "Patient's Mother's Birth Name",
  PatientTelephoneNumbers: "Patient's Telephone Numbers",
  MedicalRecordLocator: 'Medical Record Locator',
  PatientComments: 'Patient Comments',
  AccessionNumber: 'Accession Number',
  InstitutionName: 'Institution Name',
  InstitutionAddress: 'Institution Address',
  ReferringPhysicianName: "Referring Physician's Name",
  ReferringPhysicianAddress: "Referring Physician's Address",
  ReferringPhysicianTelephoneNumbers: "Referring Physician's Telephone Numbers",
  StationName: 'Station Name',
  PerformingPhysicianName: "Performing Physician's Name",
  NameOfPhysiciansReadingStudy: 'Name of Physician(s) Reading Study',
  OperatorsName: "Operators' Name",
  RequestingPhysician: 'Requesting Physician',
  DeviceSerialNumber: 'Device Serial Number',
}

/** Every finding for the instances given, study by study and series by series (study-level findings have an empty series UID). */
export function assessQuality(items: readonly QualityInstance[], options: QualityOptions = {}): QualityFinding[] {
  const findings: QualityFinding[] = []
  for (const study of groupBy(items, (item) => item.instance.studyInstanceUid).values()) {
    const studyUid = study[0]!.instance.studyInstanceUid
    const patients = new Set(study.map((item) => `${item.instance.patientId}\u0000${item.instance.patientName}`))
    if (patients.size > 1) {
      findings.push({
        studyInstanceUid: studyUid,
        seriesInstanceUid: '',
        severity: 'error',
        category: 'attributes',
        code: 'mixed-patients',
        message: `The study's images name ${patients.size} different patients`,
      })
    }
    for (const series of groupBy(study, (item) => item.instance.seriesInstanceUid).values()) findings.push(...assessSeries(series, options))
  }
  return findings
}

/** The findings of one series (its instances may include duplicates, which are reported). */
export function assessSeries(items: readonly QualityInstance[], options: QualityOptions = {}): QualityFinding[] {
  const first = items[0]
  if (!first) return []
  const { studyInstanceUid, seriesInstanceUid } = first.instance
  const findings: QualityFinding[] = []
  const add = (severity: QualitySeverity, category: QualityFinding['category'], code: QualityCode, message: string, sopInstanceUid?: string) =>
    findings.push({ studyInstanceUid, seriesInstanceUid, ...(sopInstanceUid ? { sopInstanceUid } : {}), severity, category, code, message })

  // Duplicates first: the geometry is judged on one copy of each instance.
  const unique = new Map<string, QualityInstance>()
  for (const item of items) {
    const copy = unique.get(item.instance.sopInstanceUid)
    if (copy)
      add('error', 'duplicates', 'duplicate-sop-instance-uid', `${item.instance.source} has the same SOP Instance UID as ${copy.instance.source}`, item.instance.sopInstanceUid)
    else unique.set(item.instance.sopInstanceUid, item)
  }
  const kept = [...unique.values()]
  const images = kept.filter((item) => item.instance.hasPixelData)
  const ordered = orderSeries(kept.map((item) => item.instance))
  for (const warning of ordered.geometry.warnings) add(geometry[warning.kind].severity, 'geometry', geometry[warning.kind].code, warning.message)
  const tilted = images.filter((item) => item.attributes.gantryTiltDegrees !== null && Math.abs(item.attributes.gantryTiltDegrees) > 0.01)
  if (tilted.length)
    add('warning', 'geometry', 'gantry-tilt', `${count(tilted.length, images.length)} images were acquired with the gantry tilted (${tilted[0]!.attributes.gantryTiltDegrees}°)`)

  missingAttributes(images, add)
  for (const item of kept.filter((entry) => entry.instance.warnings.some((warning) => warning.kind === 'generated-study-uid')).slice(0, 1)) {
    add('warning', 'attributes', 'generated-study-uid', `${item.instance.source} has no Study Instance UID; it was grouped under a generated one`)
  }
  for (const item of kept.filter((entry) => entry.attributes.unreadable)) {
    add(
      'warning',
      'attributes',
      'unreadable-attributes',
      `${item.instance.source}: some attributes could not be read (${item.attributes.unreadable})`,
      item.instance.sopInstanceUid,
    )
  }
  if (options.model && images.length) requirementFindings(images, ordered.geometry.normal, options.model, add)
  pixelFindings(images, add)

  const burnedIn = images.filter((item) => item.attributes.burnedInAnnotation === 'YES')
  if (burnedIn.length)
    add(
      'warning',
      'privacy',
      'burned-in-annotation',
      `${count(burnedIn.length, images.length)} images say they carry burned-in annotation (text in the pixels, possibly identifying)`,
    )
  const identifying = new Set(kept.flatMap((item) => item.attributes.identifying))
  if (identifying.size) {
    const names = [...identifying].map((keyword) => IDENTIFYING_WORDS[keyword] ?? keyword)
    add('warning', 'privacy', 'identifying-attributes', `Identifying attributes hold values: ${names.join(', ')}. Remove them before a research export`)
  }
  return findings
}

type Add = (severity: QualitySeverity, category: QualityFinding['category'], code: QualityCode, message: string, sopInstanceUid?: string) => void

function missingAttributes(images: readonly QualityInstance[], add: Add) {
  const checks: [string, (instance: DicomInstance) => boolean, (instance: DicomInstance) => boolean][] = [
    ['Modality', (i) => i.modality !== '', () => true],
    ['Frame of Reference UID', (i) => i.frameOfReferenceUid !== '', () => true],
    ['Image Position (Patient)', (i) => i.imagePositionPatient !== null, () => true],
    ['Image Orientation (Patient)', (i) => i.imageOrientationPatient !== null, () => true],
    ['Pixel Spacing', (i) => i.pixelSpacing !== null, () => true],
    ['Slice Thickness', (i) => i.sliceThickness !== null, (i) => i.modality === 'CT' || i.modality === 'MR' || i.modality === 'PT'],
  ]
  for (const [name, present, required] of checks) {
    const missing = images.filter((item) => required(item.instance) && !present(item.instance))
    if (missing.length) add('error', 'attributes', 'missing-attribute', `${name} is missing in ${count(missing.length, images.length)} images`)
  }
  const noRescale = images.filter((item) => item.instance.modality === 'CT' && !item.attributes.hasRescale)
  if (noRescale.length)
    add('error', 'attributes', 'missing-attribute', `Rescale Intercept and Slope are missing in ${count(noRescale.length, images.length)} CT images: their values are not HU`)
}

function requirementFindings(images: readonly QualityInstance[], normal: readonly number[] | null, model: RequirementSource, add: Add) {
  const requirements = model.requirements ?? {}
  const modalities = requirements.modalities ?? model.modalities
  const modality = images[0]!.instance.modality
  if (!modalities.includes(modality))
    add('error', 'requirements', 'modality-mismatch', `${model.id} needs ${modalities.join(' or ')} images; this series is ${modality || 'of no modality'}`)
  if (requirements.bodyParts) {
    const parts = new Set(images.map((item) => item.attributes.bodyPartExamined))
    if (parts.has(null)) add('warning', 'requirements', 'body-part-missing', `Body Part Examined is not given; ${model.id} is meant for ${requirements.bodyParts.join(' or ')}`)
    const wrong = [...parts].filter((part): part is string => part !== null && !requirements.bodyParts!.includes(part))
    if (wrong.length) add('error', 'requirements', 'body-part-mismatch', `${model.id} is meant for ${requirements.bodyParts.join(' or ')}; this series shows ${wrong.join(', ')}`)
  }
  const range = requirements.sliceThicknessMm
  if (range) {
    const outside = images.filter((item) => {
      const thickness = item.instance.sliceThickness
      return thickness !== null && ((range.min !== undefined && thickness < range.min) || (range.max !== undefined && thickness > range.max))
    })
    if (outside.length) {
      const wanted =
        range.min !== undefined && range.max !== undefined ? `${range.min}–${range.max} mm` : range.min !== undefined ? `at least ${range.min} mm` : `at most ${range.max} mm`
      add(
        'error',
        'requirements',
        'slice-thickness-out-of-range',
        `${model.id} needs slices of ${wanted}; ${count(outside.length, images.length)} images are ${outside[0]!.instance.sliceThickness} mm thick`,
      )
    }
  }
  if (requirements.orientation && normal) {
    const plane = planeOf(normal)
    if (plane !== requirements.orientation) add('error', 'requirements', 'orientation-mismatch', `${model.id} needs ${requirements.orientation} images; this series is ${plane}`)
  }
}

/** The anatomical plane of slices with this normal (LPS): the axis it mostly points along. */
export function planeOf(normal: readonly number[]): 'sagittal' | 'coronal' | 'axial' {
  const [x, y, z] = normal.map(Math.abs) as [number, number, number]
  return x >= y && x >= z ? 'sagittal' : y >= z ? 'coronal' : 'axial'
}

function pixelFindings(images: readonly QualityInstance[], add: Add) {
  for (const item of images) {
    const pixels = item.pixels
    if (!pixels) continue
    const source = item.instance.source
    if (pixels.belowPhysical > 0) {
      const undeclared = pixels.commonestBelowCount === pixels.belowPhysical ? ` (all ${pixels.commonestBelow}: an undeclared padding value?)` : ''
      add(
        'warning',
        'pixels',
        'below-physical-range',
        `${source}: ${pixels.belowPhysical} pixels below ${LOWEST_PHYSICAL_HU} HU${undeclared}; check the rescale`,
        item.instance.sopInstanceUid,
      )
    }
  }
  const padded = images.filter((item) => (item.pixels?.padding ?? 0) > 0)
  if (padded.length) {
    const pixels = padded.reduce((total, item) => total + item.pixels!.padding, 0)
    add(
      'info',
      'pixels',
      'padding-value',
      `${count(padded.length, images.length)} images hold the declared padding value (${pixels} pixels outside the scanned field); models see them as values`,
    )
  }
}

function count(part: number, whole: number): string {
  return part === whole ? `all ${whole}` : `${part} of ${whole}`
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>()
  for (const item of items) {
    const group = groups.get(key(item))
    if (group) group.push(item)
    else groups.set(key(item), [item])
  }
  return groups
}
