// A signed read exports as a valid Comprehensive 3D SR: dciodvfy (Debian dicom3tools) finds
// no errors, and dcmjs reads back the signature, one measurement group per finding of the
// read and the geometry. dciodvfy's remaining warnings are expected: it does not know our
// private coding scheme ("Unrecognized defined term <99PARALLAX> ... Coding Scheme
// Designator", once per 99PARALLAX code, declared or not).
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import dcmjs from 'dcmjs'
import { dciodvfyBytes, missingDciodvfy } from '../../tests/support/dciodvfy'
import { personName, type ImageReference } from '../dicom/common-modules'
import { newReportIdentity, trackingUid, writeMeasurementReport, type ReportIdentity, type ReportStudyContext } from './measurement-report'
import type { FindingDto, FindingLocation, ReadDto } from './types'

const verify = dciodvfyBytes

// dcmjs's reading half, which lib/synthetic/dcmjs.d.ts (writing only) leaves out.
type RawElement = { vr: string; Value: Record<string, RawElement>[] }
// A naturalised data set, walked loosely: the assertions do the checking.
type Parsed = Record<string, any>
const reader = (
  dcmjs as unknown as {
    data: {
      DicomMessage: { readFile(buffer: ArrayBuffer): { dict: Record<string, RawElement>; write(): ArrayBuffer } }
      DicomMetaDictionary: { naturalizeDataset(dict: Record<string, RawElement>): Parsed }
    }
  }
).data

function readDicom(bytes: Uint8Array) {
  return reader.DicomMessage.readFile(bytes.slice().buffer)
}

function parse(bytes: Uint8Array): Parsed {
  return reader.DicomMetaDictionary.naturalizeDataset(readDicom(bytes).dict)
}

/** The object edited and written again (dcmjs keys elements by group and element in hex). */
function without(bytes: Uint8Array, remove: (dict: Record<string, RawElement>) => void): Uint8Array {
  const file = readDicom(bytes)
  remove(file.dict)
  return new Uint8Array(file.write())
}

const CT_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.2'
const SERIES = '1.2.826.0.1.3680043.8.498.1'
const OTHER_SERIES = '1.2.826.0.1.3680043.8.498.2'
const FRAME_OF_REFERENCE = '1.2.826.0.1.3680043.8.498.9'

const images: ImageReference[] = [
  { sopClassUid: CT_IMAGE_STORAGE, seriesInstanceUid: SERIES, sopInstanceUid: `${SERIES}.11` },
  { sopClassUid: CT_IMAGE_STORAGE, seriesInstanceUid: SERIES, sopInstanceUid: `${SERIES}.12` },
  { sopClassUid: CT_IMAGE_STORAGE, seriesInstanceUid: OTHER_SERIES, sopInstanceUid: `${OTHER_SERIES}.5` },
]

const context: ReportStudyContext = {
  patientName: 'Test^Patient',
  patientId: 'PX-0001',
  patientBirthDate: '19600101',
  patientSex: 'F',
  studyInstanceUid: '1.2.826.0.1.3680043.8.498',
  studyDate: '20250301',
  studyTime: '101500',
  studyId: '1',
  accessionNumber: 'ACC-1',
  referringPhysicianName: '',
  studyDescription: 'CT chest',
  images: new Map(images.map((image) => [image.sopInstanceUid, image])),
}

const identity: ReportIdentity = {
  seriesInstanceUid: '2.25.1001',
  sopInstanceUid: '2.25.1001.1',
  seriesNumber: 1000,
  instanceNumber: 1,
  contentDateTime: new Date('2025-03-04T06:00:00Z'),
}

function location(kind: FindingLocation['kind'], points: FindingLocation['points'], sopInstanceUid = `${SERIES}.11`): FindingLocation {
  return { kind, seriesInstanceUid: SERIES, sopInstanceUid, frameOfReferenceUid: FRAME_OF_REFERENCE, sliceIndex: 10, points }
}

const model = { id: 'lung-nodule-detector', version: '2.1.0', sha256: 'ab'.repeat(32) }

function finding(ordinal: number, fields: Partial<FindingDto>): FindingDto {
  return {
    id: `cm7k2x9p4000${ordinal}abcd1234efgh`,
    ordinal,
    origin: 'ai',
    status: 'accepted',
    label: 'Lung nodule',
    location: location('point', [[0, 0, 0]]),
    measurementMm: null,
    probability: 0.87,
    model,
    executionProvider: 'wasm',
    explanationMethod: null,
    ai: null,
    rejectReason: null,
    note: null,
    decidedBy: 'reader-1',
    decidedAt: '2025-03-04T05:00:00.000Z',
    discordant: false,
    ...fields,
  }
}

// Float32-exact coordinates: GraphicData is FL.
const bboxCorners: FindingLocation['points'] = [
  [-40.5, 20.25, -110],
  [-30.5, 20.25, -110],
  [-30.5, 30.25, -110],
  [-40.5, 30.25, -110],
]

const read: ReadDto = {
  id: 'read-1',
  purpose: 'clinical',
  status: 'signed',
  version: 1,
  amendsId: null,
  amendedById: null,
  amendReason: null,
  study: {
    studyInstanceUid: context.studyInstanceUid,
    studyDescription: 'CT chest',
    studyDate: '20250301',
    accessionNumber: 'ACC-1',
    modality: 'CT',
    source: 'demo',
    sourceRef: 'chest',
  },
  reader: { id: 'reader-1', name: 'Ana Rivera' },
  createdAt: '2025-03-04T04:00:00.000Z',
  findings: [
    finding(1, { location: location('bbox', bboxCorners), measurementMm: 9.5 }),
    finding(2, {
      status: 'modified',
      label: 'Mass',
      location: location(
        'polyline',
        [
          [1, 2, -110],
          [11, 2, -110],
          [11, 12, -110],
        ],
        `${SERIES}.12`,
      ),
      note: 'Larger than proposed',
    }),
    finding(3, {
      origin: 'reader',
      status: 'added',
      label: 'Atelectasis',
      location: location('point', [[60, -20, -95]]),
      probability: null,
      model: null,
      executionProvider: null,
      discordant: true,
    }),
    finding(4, {
      origin: 'reader',
      status: 'added',
      label: 'Consolidation',
      location: { ...location('slice', [], `${OTHER_SERIES}.5`), seriesInstanceUid: OTHER_SERIES },
      probability: null,
      model: null,
      executionProvider: null,
      discordant: true,
    }),
    finding(5, { status: 'rejected', rejectReason: 'false-positive', discordant: true }),
  ],
  contentHash: 'cd'.repeat(32),
  signature: {
    signerId: 'reader-1',
    printedName: 'Ana Rivera',
    meaning: 'approval',
    signedAt: '2025-03-04T05:30:12.345Z',
    contentHash: 'cd'.repeat(32),
    valid: true,
    problem: null,
  },
}

const codeValue = (item: Parsed) => item.ConceptNameCodeSequence?.[0]?.CodeValue as string | undefined
const child = (item: Parsed, code: string): Parsed | undefined => item.ContentSequence?.find((entry: Parsed) => codeValue(entry) === code)

describe('measurement report (TID 1500 Comprehensive 3D SR)', () => {
  const bytes = writeMeasurementReport(read, context, identity)

  it('passes dciodvfy without errors', { skip: missingDciodvfy() }, () => {
    const { report, errors } = verify(bytes)
    assert.deepEqual(errors, [], report)
    // So does a read whose AI proposals were all rejected: no measurements, nothing referenced.
    const allRejected = { ...read, findings: read.findings.filter((f) => f.status === 'rejected') }
    const empty = verify(writeMeasurementReport(allRejected, context, identity))
    assert.deepEqual(empty.errors, [], empty.report)
    // The check can fail: a Verifying Observer Sequence (0040,A073) item without its
    // (type 1) Verification DateTime (0040,A030) is reported...
    const undated = verify(without(bytes, (dict) => delete dict['0040A073']!.Value[0]!['0040A030']))
    assert.ok(
      undated.errors.some((line) => line.includes('VerificationDateTime')),
      undated.report,
    )
    // ...and so is a root content item without its Concept Name Code Sequence (0040,A043).
    const unnamed = verify(without(bytes, (dict) => delete dict['0040A043']))
    assert.ok(
      unnamed.errors.some((line) => line.includes('ConceptNameCodeSequence')),
      unnamed.report,
    )
  })

  it('reads back with the signature, the findings of the read and their geometry', () => {
    const report = parse(bytes)
    assert.equal(report.SOPClassUID, '1.2.840.10008.5.1.4.1.1.88.34')
    assert.equal(report.Modality, 'SR')
    assert.deepEqual([report.CompletionFlag, report.VerificationFlag, report.PreliminaryFlag], ['COMPLETE', 'VERIFIED', 'FINAL'])
    const observer = report.VerifyingObserverSequence[0]
    assert.equal(observer.VerifyingObserverName[0].Alphabetic, 'Rivera^Ana')
    assert.equal(observer.VerificationDateTime.trim(), '20250304053012.345+0000')
    assert.equal(report.ContentTemplateSequence[0].TemplateIdentifier, '1500')
    assert.equal(codeValue(report), '126000')

    const evidence = report.CurrentRequestedProcedureEvidenceSequence[0]
    assert.equal(evidence.StudyInstanceUID, context.studyInstanceUid)
    assert.deepEqual(
      evidence.ReferencedSeriesSequence.map((series: Parsed) => [series.SeriesInstanceUID, series.ReferencedSOPSequence.map((sop: Parsed) => sop.ReferencedSOPInstanceUID)]),
      [
        [SERIES, [`${SERIES}.11`, `${SERIES}.12`]],
        [OTHER_SERIES, [`${OTHER_SERIES}.5`]],
      ],
    )
    const library = child(report, '111028')!
    assert.deepEqual(
      library.ContentSequence.flatMap((group: Parsed) => group.ContentSequence.map((entry: Parsed) => entry.ReferencedSOPSequence[0].ReferencedSOPInstanceUID)),
      images.map((image) => image.sopInstanceUid),
    )

    const groups: Parsed[] = child(report, '126010')!.ContentSequence
    assert.deepEqual(
      groups.map((group) => child(group, '112039')!.TextValue),
      ['Finding 1', 'Finding 2', 'Finding 3', 'Finding 4'],
    )
    assert.deepEqual(
      groups.map((group) => child(group, '112040')!.UID),
      [1, 2, 3, 4].map((ordinal) => trackingUid(read.findings[ordinal - 1]!.id)),
    )
    assert.deepEqual(
      groups.map((group) => child(group, '121071')!.ConceptCodeSequence[0].CodeValue),
      ['786838002', '4147007', '46621007', '95436008'],
    )

    const [bbox, polyline, point, slice] = groups.map((group) => child(group, '111030'))
    assert.equal(bbox!.GraphicType, 'POLYGON')
    assert.deepEqual(bbox!.GraphicData, [...bboxCorners, bboxCorners[0]!].flat())
    assert.equal(bbox!.ReferencedFrameOfReferenceUID, FRAME_OF_REFERENCE)
    assert.deepEqual([polyline!.GraphicType, polyline!.GraphicData.length], ['POLYLINE', 9])
    assert.deepEqual([point!.GraphicType, point!.GraphicData], ['POINT', [60, -20, -95]])
    assert.equal(slice, undefined)
    assert.deepEqual(
      groups.map((group) => child(group, '121112')!.ReferencedSOPSequence[0].ReferencedSOPInstanceUID),
      [`${SERIES}.11`, `${SERIES}.12`, `${SERIES}.11`, `${OTHER_SERIES}.5`],
    )

    const longAxis = child(groups[0]!, '103339001')!.MeasuredValueSequence[0]
    assert.equal(longAxis.NumericValue, 9.5)
    assert.equal(longAxis.MeasurementUnitsCodeSequence[0].CodeValue, 'mm')
    assert.equal(child(groups[1]!, '103339001'), undefined)
    assert.equal(child(groups[0]!, '111001')!.TextValue, model.id)
    assert.equal(child(groups[2]!, '111001'), undefined)
    assert.deepEqual(
      groups.map((group) => child(group, 'reader-decision')!.TextValue),
      ['accepted', 'modified', 'added', 'added'],
    )

    assert.equal(child(report, 'sig-meaning')!.TextValue, 'Approved')
    assert.equal(child(report, 'sig-hash')!.TextValue, read.signature!.contentHash)
    assert.equal(child(report, 'amendment'), undefined)
  })

  it('notes what an amendment amends', () => {
    const amended = parse(writeMeasurementReport({ ...read, amendsId: 'read-0', amendReason: 'Missed atelectasis' }, context, identity))
    assert.equal(child(amended, 'amendment')!.TextValue, 'Amends read read-0: Missed atelectasis')
  })

  it('exports only signed reads whose AI proposals are all decided', () => {
    assert.throws(() => writeMeasurementReport({ ...read, status: 'open', signature: null }, context, identity), /not signed/)
    const undecided = { ...read, findings: [...read.findings, finding(6, { status: 'proposed' })] }
    assert.throws(() => writeMeasurementReport(undecided, context, identity), /undecided findings \(6\)/)
  })

  it('refuses a finding on an image it has no SOP class for', () => {
    const elsewhere = { ...read, findings: [finding(1, { location: location('point', [[0, 0, 0]], '1.2.3.4') })] }
    assert.throws(() => writeMeasurementReport(elsewhere, context, identity), /not among the study's images/)
  })
})

describe('report values', () => {
  it('writes display names as DICOM person names', () => {
    assert.equal(personName('Ana Rivera'), 'Rivera^Ana')
    assert.equal(personName('  Ana  María Rivera '), 'Rivera^Ana^María')
    assert.equal(personName('Madonna'), 'Madonna')
    assert.equal(personName('Rivera^Ana'), 'Rivera^Ana')
  })

  it('derives tracking UIDs that are valid, stable and distinct', () => {
    const uid = trackingUid('cm7k2x9p40001abcd1234efgh')
    assert.match(uid, /^2\.25\.[1-9][0-9]*$/)
    assert.ok(uid.length <= 64)
    assert.equal(trackingUid('cm7k2x9p40001abcd1234efgh'), uid)
    assert.notEqual(trackingUid('cm7k2x9p40002abcd1234efgh'), uid)
    assert.throws(() => trackingUid('not a cuid'), /not base-36/)
  })

  it('makes new report UIDs under 2.25', () => {
    const now = new Date('2025-03-04T06:00:00Z')
    const first = newReportIdentity(now)
    const second = newReportIdentity(now)
    for (const uid of [first.seriesInstanceUid, first.sopInstanceUid]) {
      assert.match(uid, /^2\.25\.(0|[1-9][0-9]*)$/)
      assert.ok(uid.length <= 64)
    }
    assert.notEqual(first.sopInstanceUid, second.sopInstanceUid)
    assert.equal(first.contentDateTime, now)
  })
})
