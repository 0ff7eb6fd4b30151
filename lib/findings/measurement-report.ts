// Exports a signed read as a DICOM Comprehensive 3D SR following TID 1500 "Measurement
// Report", so a PACS or another viewer can show the reader's findings beside the images.
// Pure and deterministic (the caller passes the UIDs and times), so it runs in the browser,
// where the images are. One Measurement Group per finding of the read (accepted, modified,
// added); locations are written in patient coordinates (SCOORD3D) as the read stores them.
import {
  MANUFACTURER,
  codeSequence,
  dcm,
  dicomDate,
  dicomDateTime,
  dicomTime,
  hierarchicalReference,
  imagesBySeries,
  newUuidUid,
  parallax,
  parseInstant,
  patientAndStudy,
  personName,
  referencedSop,
  sct,
  seriesAndEquipment,
  sopCommon,
  type Code,
  type Dataset,
  type ImageReference,
  type PatientStudy,
} from '../dicom/common-modules'
import { writePart10 } from '../dicom/write-part10'
import { signatureMeanings, type FindingDto, type FindingLabel, type FindingLocation, type ReadDto, type SignatureDto } from './types'

export interface ReportStudyContext extends PatientStudy {
  /** Referenced images by SOP instance UID (the browser has these from the loaded series). */
  images: Map<string, ImageReference>
}

export interface ReportIdentity {
  seriesInstanceUid: string
  sopInstanceUid: string
  seriesNumber: number
  instanceNumber: number
  contentDateTime: Date
}

const COMPREHENSIVE_3D_SR_STORAGE = '1.2.840.10008.5.1.4.1.1.88.34'
// Above the series numbers scanners use, so the report sorts after the images.
const REPORT_SERIES_NUMBER = 1000

/** A new report's UIDs, each from a random UUID. */
export function newReportIdentity(now: Date): ReportIdentity {
  return {
    seriesInstanceUid: newUuidUid(),
    sopInstanceUid: newUuidUid(),
    seriesNumber: REPORT_SERIES_NUMBER,
    instanceNumber: 1,
    contentDateTime: now,
  }
}

/**
 * The read as DICOM Part 10 bytes. Only signed reads export, and only once every AI
 * proposal is decided. Rejected AI findings are not findings of the read, so the SR leaves
 * them out; whoever audits the AI finds them, with the reasons, in the stored read.
 */
export function writeMeasurementReport(read: ReadDto, context: ReportStudyContext, identity: ReportIdentity): Uint8Array {
  const signature = read.signature
  if (!signature) throw new Error(`read ${read.id} is not signed: only signed reads export`)
  const findings = findingsOfRead(read)
  const images = referencedImages(findings, context.images)
  const dataset = {
    ...sopCommon(COMPREHENSIVE_3D_SR_STORAGE, identity.sopInstanceUid, identity.contentDateTime),
    ...patientAndStudy(context),
    ...srDocumentSeries(identity),
    ...srDocumentGeneral(signature, identity, context.studyInstanceUid, images),
    ...srDocumentContent(read, signature, findings, images, context.images),
  }
  return writePart10(dataset, COMPREHENSIVE_3D_SR_STORAGE, identity.sopInstanceUid)
}

function findingsOfRead(read: ReadDto): FindingDto[] {
  const proposed = read.findings.filter((finding) => finding.status === 'proposed')
  if (proposed.length > 0) throw new Error(`read ${read.id} has undecided findings (${proposed.map((f) => f.ordinal).join(', ')}): decide them before export`)
  return read.findings.filter((finding) => finding.status !== 'rejected').sort((a, b) => a.ordinal - b.ordinal)
}

/** The images the findings were seen on, each once, in the order first referenced. */
function referencedImages(findings: FindingDto[], known: Map<string, ImageReference>): ImageReference[] {
  const images = new Map<string, ImageReference>()
  for (const finding of findings) images.set(finding.location.sopInstanceUid, imageOf(finding.location.sopInstanceUid, known))
  return [...images.values()]
}

function imageOf(sopInstanceUid: string, known: Map<string, ImageReference>): ImageReference {
  const image = known.get(sopInstanceUid)
  // Without its SOP class an image reference is invalid DICOM, so a missing image is an error.
  if (!image) throw new Error(`image ${sopInstanceUid} is not among the study's images`)
  return image
}

// ---- Modules -------------------------------------------------------------------------

/** SR Document Series and General Equipment. */
function srDocumentSeries(identity: ReportIdentity): Dataset {
  return {
    ...seriesAndEquipment({ modality: 'SR', seriesInstanceUid: identity.seriesInstanceUid, seriesNumber: identity.seriesNumber, seriesDescription: 'Parallax measurement report' }),
    ReferencedPerformedProcedureStepSequence: [],
  }
}

function srDocumentGeneral(signature: SignatureDto, identity: ReportIdentity, studyInstanceUid: string, images: ImageReference[]): Dataset {
  return {
    InstanceNumber: identity.instanceNumber,
    // A signed read is final; an amendment is a new, final read of its own.
    PreliminaryFlag: 'FINAL',
    CompletionFlag: 'COMPLETE',
    VerificationFlag: 'VERIFIED',
    ContentDate: dicomDate(identity.contentDateTime),
    ContentTime: dicomTime(identity.contentDateTime),
    VerifyingObserverSequence: [
      {
        VerifyingObserverName: personName(signature.printedName),
        VerifyingObserverIdentificationCodeSequence: [],
        VerifyingOrganization: MANUFACTURER,
        VerificationDateTime: dicomDateTime(parseInstant(signature.signedAt)),
      },
    ],
    PerformedProcedureCodeSequence: [],
    ...(images.length > 0 && { CurrentRequestedProcedureEvidenceSequence: [hierarchicalReference(studyInstanceUid, images)] }),
  }
}

// ---- Content tree (TID 1500) ---------------------------------------------------------

const concepts = {
  imagingMeasurementReport: dcm('126000', 'Imaging Measurement Report'),
  language: dcm('121049', 'Language of Content Item and Descendants'),
  englishUs: { value: 'en-US', scheme: 'RFC5646', meaning: 'English (United States)' },
  observerType: dcm('121005', 'Observer Type'),
  person: dcm('121006', 'Person'),
  personObserverName: dcm('121008', 'Person Observer Name'),
  procedureReported: dcm('121058', 'Procedure reported'),
  imagingProcedure: sct('363679005', 'Imaging procedure'),
  imageLibrary: dcm('111028', 'Image Library'),
  imageLibraryGroup: dcm('126200', 'Image Library Group'),
  imagingMeasurements: dcm('126010', 'Imaging Measurements'),
  measurementGroup: dcm('125007', 'Measurement Group'),
  trackingIdentifier: dcm('112039', 'Tracking Identifier'),
  trackingUniqueIdentifier: dcm('112040', 'Tracking Unique Identifier'),
  finding: dcm('121071', 'Finding'),
  imageRegion: dcm('111030', 'Image Region'),
  sourceOfMeasurement: dcm('121112', 'Source of Measurement'),
  // SNOMED CT's successor of (G-A185, SRT), which dciodvfy reports as deprecated.
  longAxis: sct('103339001', 'Long Axis'),
  algorithmName: dcm('111001', 'Algorithm Name'),
  algorithmVersion: dcm('111003', 'Algorithm Version'),
  comment: dcm('121106', 'Comment'),
  modelSha256: parallax('model-sha256', 'Model SHA-256'),
  probability: parallax('probability', 'Probability'),
  readerDecision: parallax('reader-decision', 'Reader decision'),
  signatureMeaning: parallax('sig-meaning', 'Signature meaning'),
  signedContentHash: parallax('sig-hash', 'Signed content hash'),
  amendment: parallax('amendment', 'Amendment'),
} satisfies Record<string, Code>

const units = {
  millimetre: { value: 'mm', scheme: 'UCUM', meaning: 'millimeter' },
  ratio: { value: '{ratio}', scheme: 'UCUM', meaning: 'ratio' },
} satisfies Record<string, Code>

/**
 * Our labels as codes. SNOMED CT where it has the concept; "Calcified granuloma" and "Other"
 * have no SNOMED CT concept we could vouch for, so they use our own scheme.
 */
const findingCodes: Record<FindingLabel, Code> = {
  'Lung nodule': sct('786838002', 'Pulmonary nodule'),
  Mass: sct('4147007', 'Mass'),
  'Calcified granuloma': parallax('calc-granuloma', 'Calcified granuloma'),
  Atelectasis: sct('46621007', 'Atelectasis'),
  Consolidation: sct('95436008', 'Lung consolidation'),
  Other: parallax('other-finding', 'Other'),
}

function findingCode(label: string): Code {
  if (!Object.hasOwn(findingCodes, label)) throw new Error(`finding label "${label}" has no code`)
  return findingCodes[label as FindingLabel]
}

type Relationship = 'CONTAINS' | 'HAS OBS CONTEXT' | 'HAS CONCEPT MOD'
type ContentItem = Dataset

function item(relationship: Relationship, valueType: string, name: Code | null, value: Dataset): ContentItem {
  return { RelationshipType: relationship, ValueType: valueType, ...(name && { ConceptNameCodeSequence: codeSequence(name) }), ...value }
}

/** A container; one without children has no Content Sequence (type 1C: never empty). */
function container(relationship: Relationship, name: Code, children: ContentItem[]): ContentItem {
  return item(relationship, 'CONTAINER', name, { ContinuityOfContent: 'SEPARATE', ...(children.length > 0 && { ContentSequence: children }) })
}

function text(relationship: Relationship, name: Code, value: string): ContentItem {
  return item(relationship, 'TEXT', name, { TextValue: value })
}

function coded(relationship: Relationship, name: Code, value: Code): ContentItem {
  return item(relationship, 'CODE', name, { ConceptCodeSequence: codeSequence(value) })
}

function numeric(name: Code, value: number, unit: Code): ContentItem {
  return item('CONTAINS', 'NUM', name, { MeasuredValueSequence: [{ NumericValue: value, MeasurementUnitsCodeSequence: codeSequence(unit) }] })
}

/** An image reference; entries of an image library have no concept name (TID 1601). */
function image(name: Code | null, reference: ImageReference): ContentItem {
  return item('CONTAINS', 'IMAGE', name, { ReferencedSOPSequence: [referencedSop(reference)] })
}

/** The root container: TID 1500's rows in order, then the signature manifest. */
function srDocumentContent(read: ReadDto, signature: SignatureDto, findings: FindingDto[], images: ImageReference[], known: Map<string, ImageReference>): Dataset {
  return {
    ValueType: 'CONTAINER',
    ConceptNameCodeSequence: codeSequence(concepts.imagingMeasurementReport),
    ContinuityOfContent: 'SEPARATE',
    ContentTemplateSequence: [{ MappingResource: 'DCMR', TemplateIdentifier: '1500' }],
    ContentSequence: [
      ...documentContext(read.reader.name),
      imageLibrary(images),
      // A read with no findings (all AI proposals rejected) has no measurements to hold.
      ...(findings.length > 0
        ? [
            container(
              'CONTAINS',
              concepts.imagingMeasurements,
              findings.map((finding) => measurementGroup(finding, known)),
            ),
          ]
        : []),
      ...signatureManifest(read, signature),
    ],
  }
}

/** Language (TID 1204), observer context (TID 1002) and the procedure reported. */
function documentContext(readerName: string): ContentItem[] {
  return [
    coded('HAS CONCEPT MOD', concepts.language, concepts.englishUs),
    coded('HAS OBS CONTEXT', concepts.observerType, concepts.person),
    item('HAS OBS CONTEXT', 'PNAME', concepts.personObserverName, { PersonName: personName(readerName) }),
    coded('HAS CONCEPT MOD', concepts.procedureReported, concepts.imagingProcedure),
  ]
}

/** TID 1600: one Image Library Group per series. */
function imageLibrary(images: ImageReference[]): ContentItem {
  const groups = [...imagesBySeries(images).values()].map((series) =>
    container(
      'CONTAINS',
      concepts.imageLibraryGroup,
      series.map((entry) => image(null, entry)),
    ),
  )
  return container('CONTAINS', concepts.imageLibrary, groups)
}

/**
 * The signature's meaning and the hash of the signed content travel with the export, so
 * the SR can be matched to the signature the server holds; so does what an amendment amends.
 */
function signatureManifest(read: ReadDto, signature: SignatureDto): ContentItem[] {
  return [
    text('CONTAINS', concepts.signatureMeaning, signatureMeanings[signature.meaning]),
    text('CONTAINS', concepts.signedContentHash, signature.contentHash),
    ...(read.amendsId ? [text('CONTAINS', concepts.amendment, `Amends read ${read.amendsId}${read.amendReason ? `: ${read.amendReason}` : ''}`)] : []),
  ]
}

function measurementGroup(finding: FindingDto, known: Map<string, ImageReference>): ContentItem {
  return container('CONTAINS', concepts.measurementGroup, [
    text('HAS OBS CONTEXT', concepts.trackingIdentifier, `Finding ${finding.ordinal}`),
    item('HAS OBS CONTEXT', 'UIDREF', concepts.trackingUniqueIdentifier, { UID: trackingUid(finding.id) }),
    coded('CONTAINS', concepts.finding, findingCode(finding.label)),
    ...algorithmIdentification(finding),
    ...imageRegion(finding.location),
    image(concepts.sourceOfMeasurement, imageOf(finding.location.sopInstanceUid, known)),
    ...(finding.measurementMm !== null ? [numeric(concepts.longAxis, finding.measurementMm, units.millimetre)] : []),
    ...(finding.probability !== null ? [numeric(concepts.probability, finding.probability, units.ratio)] : []),
    text('CONTAINS', concepts.readerDecision, finding.status),
    ...(finding.note ? [text('CONTAINS', concepts.comment, finding.note)] : []),
  ])
}

/** TID 4019 Algorithm Identification, plus the model's SHA-256, for AI findings. */
function algorithmIdentification(finding: FindingDto): ContentItem[] {
  if (!finding.model) return []
  return [
    text('HAS CONCEPT MOD', concepts.algorithmName, finding.model.id),
    text('HAS CONCEPT MOD', concepts.algorithmVersion, finding.model.version),
    text('HAS CONCEPT MOD', concepts.modelSha256, finding.model.sha256),
  ]
}

const graphicTypes = { bbox: 'POLYGON', polyline: 'POLYLINE', point: 'POINT' } as const

/**
 * The finding's outline in patient coordinates. A bbox becomes a closed polygon (the first
 * corner repeated, as PS3.3 C.18.9.1.2 requires). Without a frame of reference the points
 * cannot be placed in 3D, and mapping them onto image pixels needs geometry we do not
 * have here, so such a finding keeps only its source image.
 */
function imageRegion(location: FindingLocation): ContentItem[] {
  if (location.kind === 'slice' || location.frameOfReferenceUid === null) return []
  const points = location.kind === 'bbox' ? [...location.points, location.points[0]!] : location.points
  return [
    item('CONTAINS', 'SCOORD3D', concepts.imageRegion, {
      GraphicType: graphicTypes[location.kind],
      GraphicData: points.flat(),
      ReferencedFrameOfReferenceUID: location.frameOfReferenceUid,
    }),
  ]
}

/**
 * The finding id (a cuid: base-36 letters and digits) read as one base-36 number under
 * 2.25. Stable for the finding, distinct for distinct ids of one length, and short enough
 * for a UID (a 25-character cuid gives 39 digits).
 */
export function trackingUid(findingId: string): string {
  if (!/^[0-9a-z]+$/.test(findingId)) throw new Error(`finding id "${findingId}" is not base-36`)
  let value = 0n
  for (const character of findingId) value = value * 36n + BigInt(parseInt(character, 36))
  const uid = `2.25.${value.toString()}`
  if (uid.length > 64) throw new Error(`finding id "${findingId}" is too long for a UID`)
  return uid
}
