// One file's bytes → a validated DicomInstance, or a rejection with a reason a user can
// act on. Never throws: every failure (bad input, dicom-parser's string throws, a stack
// overflow on absurdly nested sequences, a deflate bomb) ends as a rejection.
import dicomParser, { type DataSet, type Element } from 'dicom-parser'
import { AttributeReader } from './attribute-reader'
import { checkCodestreams } from './codestream'
import { checkDataSetIntegrity } from './dataset-integrity'
import { InflateLimitError, inflateRawCapped } from './inflate-capped'
import { checkColourModel, checkPixelData, isImageStorage } from './pixel-data'
import { uidFromText } from './generated-uid'
import { hasDicmMarker, missingHeader, wrapAsPart10, type MissingHeader } from './part10'
import { DicomReadError, errorMessage } from './read-error'
import { TAG, formatTag } from './tags'
import { DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN, transferSyntax } from './transfer-syntax'
import { mebibytes } from './units'
import type { Vec3 } from './geometry'
import type { DicomInstance, DicomRejection, InstanceWarning } from './types'

export type ParseResult = { ok: true; instance: DicomInstance } | { ok: false; rejection: DicomRejection }

export interface ParseOptions {
  /** Largest data set a Deflated Explicit VR Little Endian file may inflate to. */
  maxInflatedBytes?: number
}

export const DEFAULT_MAX_INFLATED_BYTES = 512 * 1024 * 1024

const MAGIC_END = 132

export function parseInstance(bytes: Uint8Array, source: string, fileIndex: number, options: ParseOptions = {}): ParseResult {
  try {
    return { ok: true, instance: readInstance(bytes, source, fileIndex, options.maxInflatedBytes ?? DEFAULT_MAX_INFLATED_BYTES, null) }
  } catch (error) {
    return { ok: false, rejection: { source, reason: rejectionReason(error) } }
  }
}

/** The head parseInstanceHeader is given: a CT or MR header is 1–4 KiB; what does not fit (long private sequences, overlays) is read whole. */
export const HEAD_BYTES = 16 * 1024

/**
 * The instance as its first bytes (`head`, of a file of `fileSize` bytes) describe it, so a
 * series can be ordered and shown before its files are read whole. Null whenever the head
 * cannot settle it alone: no DICM marker, a deflated data set, Pixel Data beyond the head,
 * any error at all (parseInstance on the whole file then accepts or rejects it, as always).
 * What only the rest of the file can tell (the data set's integrity, encapsulated
 * fragments, codestream headers) is for `parseInstance` on the whole file before it is
 * decoded; the native pixel length is checked here against the file's size.
 */
export function parseInstanceHeader(head: Uint8Array, fileSize: number, source: string, fileIndex: number): DicomInstance | null {
  if (head.length >= fileSize || !hasDicmMarker(head)) return null
  try {
    return readInstance(head, source, fileIndex, 0, fileSize)
  } catch {
    // Whatever the head's problem (its end, or the file's), the whole file decides and names it.
    return null
  }
}

function readInstance(file: Uint8Array, source: string, fileIndex: number, maxInflatedBytes: number, headOfFileSize: number | null): DicomInstance {
  const warnings: InstanceWarning[] = []
  let bytes = file
  if (!hasDicmMarker(file)) {
    const missing = missingHeader(file)
    if (!missing) throw new DicomReadError(file.length < MAGIC_END ? `Not a DICOM file (only ${file.length} bytes)` : 'Not a DICOM file (no DICM marker)')
    // Read as the Part 10 file it would be; the viewer's decoder gets the same (normalise-for-decoder.ts).
    bytes = wrapAsPart10(file, missing)
    warnings.push(missingHeaderWarning(missing))
  }

  const dataSet = headOfFileSize === null ? dicomParser.parseDicom(bytes, { inflater: cappedInflater(maxInflatedBytes) }) : parseHead(bytes)
  // The padding element cappedInflater puts over the preamble; not part of the object.
  if (dataSet.elements[DATA_SET_TRAILING_PADDING]?.dataOffset === PREAMBLE_PADDING_ELEMENT.length) delete dataSet.elements[DATA_SET_TRAILING_PADDING]
  if (headOfFileSize === null) checkDataSetIntegrity(dataSet)

  const read = new AttributeReader(dataSet)
  const uid = (tag: string, fallbackTag: string | null, name: string): string => {
    const value = read.ascii(tag) || (fallbackTag ? read.ascii(fallbackTag) : '')
    if (value === '') throw new DicomReadError(`Missing ${name} ${formatTag(tag)}`)
    // UIDs are digits and dots, at most 64 characters; anything else is corruption.
    if (value.length > 64 || !/^[0-9]+(\.[0-9]+)*$/.test(value)) throw new DicomReadError(`Invalid ${name} ${formatTag(tag)}`)
    return value
  }
  const sopInstanceUid = uid(TAG.sopInstanceUid, TAG.mediaStorageSopInstanceUid, 'SOP Instance UID')
  const sopClassUid = uid(TAG.sopClassUid, TAG.mediaStorageSopClassUid, 'SOP Class UID')
  // Without a Study Instance UID the instance joins a study generated from what names one
  // (patient, date, accession, ...), so the files of one such study stay together.
  const studyInstanceUid = read.ascii(TAG.studyInstanceUid) === '' ? generatedStudyUid(read, warnings) : uid(TAG.studyInstanceUid, null, 'Study Instance UID')
  const seriesInstanceUid = uid(TAG.seriesInstanceUid, null, 'Series Instance UID')
  const transferSyntaxUid = read.ascii(TAG.transferSyntaxUid)

  // Parametric maps carry Float or Double Float Pixel Data instead of Pixel Data.
  const pixelData = dataSet.elements[TAG.pixelData] ?? dataSet.elements[TAG.floatPixelData] ?? dataSet.elements[TAG.doubleFloatPixelData]
  const declaresImage = isImageStorage(sopClassUid) || read.uint16(TAG.rows) !== undefined || read.uint16(TAG.columns) !== undefined
  if (!pixelData && declaresImage) throw new DicomReadError('No pixel data: an image object must carry Pixel Data (7FE0,0010)')
  const hasPalettes = PALETTE_TAGS.every((tag) => (dataSet.elements[tag]?.length ?? 0) > 0)
  const image = pixelData ? readImageLayout(read, transferSyntaxUid, pixelData, dataSet.byteArray, hasPalettes, headOfFileSize) : null

  const pixelSpacing = read.decimals(TAG.pixelSpacing, 2, TAG.pixelMeasuresSequence) ?? read.decimals(TAG.imagerPixelSpacing, 2)
  return {
    source,
    fileIndex,
    sopInstanceUid,
    sopClassUid,
    transferSyntaxUid,
    studyInstanceUid,
    seriesInstanceUid,
    patientName: read.text(TAG.patientName),
    patientId: read.text(TAG.patientId),
    patientBirthDate: read.ascii(TAG.patientBirthDate),
    patientSex: read.ascii(TAG.patientSex),
    studyDate: read.ascii(TAG.studyDate),
    studyTime: read.ascii(TAG.studyTime),
    studyDescription: read.text(TAG.studyDescription),
    accessionNumber: read.text(TAG.accessionNumber),
    studyId: read.text(TAG.studyId),
    referringPhysicianName: read.text(TAG.referringPhysicianName),
    frameOfReferenceUid: read.ascii(TAG.frameOfReferenceUid),
    seriesDescription: read.text(TAG.seriesDescription),
    seriesNumber: read.integer(TAG.seriesNumber),
    modality: read.ascii(TAG.modality),
    instanceNumber: read.integer(TAG.instanceNumber),
    rows: image?.rows ?? 0,
    columns: image?.columns ?? 0,
    numberOfFrames: image?.numberOfFrames ?? 0,
    samplesPerPixel: image?.samplesPerPixel ?? 0,
    photometricInterpretation: image?.photometricInterpretation ?? '',
    bitsAllocated: image?.bitsAllocated ?? 0,
    pixelRepresentation: image?.pixelRepresentation ?? 0,
    hasPixelData: image !== null,
    imagePositionPatient: read.decimals(TAG.imagePositionPatient, 3, TAG.planePositionSequence) as Vec3 | null,
    imageOrientationPatient: read.decimals(TAG.imageOrientationPatient, 6, TAG.planeOrientationSequence) as DicomInstance['imageOrientationPatient'],
    pixelSpacing: pixelSpacing && pixelSpacing.every((value) => value > 0) ? (pixelSpacing as [number, number]) : null,
    sliceThickness: read.decimal(TAG.sliceThickness, TAG.pixelMeasuresSequence),
    rescaleSlope: read.decimal(TAG.rescaleSlope, TAG.pixelValueTransformationSequence) ?? 1,
    rescaleIntercept: read.decimal(TAG.rescaleIntercept, TAG.pixelValueTransformationSequence) ?? 0,
    windowCenter: read.decimal(TAG.windowCenter, TAG.frameVoiLutSequence),
    windowWidth: read.decimal(TAG.windowWidth, TAG.frameVoiLutSequence),
    warnings,
  }
}

const BITS_ALLOCATED = new Set([1, 8, 16, 32, 64])
/** Largest decoded frame: an 8192×8192 RGBA image; the largest clinical images (mammograms) need a tenth of it. */
export const MAX_DECODED_FRAME_BYTES = 256 * 1024 * 1024

const PALETTE_TAGS = [TAG.redPaletteDescriptor, TAG.greenPaletteDescriptor, TAG.bluePaletteDescriptor, TAG.redPaletteData, TAG.greenPaletteData, TAG.bluePaletteData]

function readImageLayout(read: AttributeReader, transferSyntaxUid: string, pixelData: Element, bytes: Uint8Array, hasPalettes: boolean, headOfFileSize: number | null) {
  const syntax = transferSyntax(transferSyntaxUid)
  if (!syntax) throw new DicomReadError(`Unsupported transfer syntax ${transferSyntaxUid || '(none)'}`)
  const rows = read.uint16(TAG.rows) ?? 0
  const columns = read.uint16(TAG.columns) ?? 0
  if (rows === 0 || columns === 0) throw new DicomReadError(`Image size is missing or zero (Rows ${rows}, Columns ${columns})`)
  const framesText = read.ascii(TAG.numberOfFrames)
  const numberOfFrames = framesText === '' ? 1 : read.integer(TAG.numberOfFrames)
  if (numberOfFrames === null || numberOfFrames < 1) throw new DicomReadError(`Invalid Number of Frames (${framesText})`)
  const samplesPerPixel = read.uint16(TAG.samplesPerPixel) ?? 1
  if (samplesPerPixel !== 1 && samplesPerPixel !== 3) throw new DicomReadError(`Unsupported Samples per Pixel (${samplesPerPixel})`)
  const bitsAllocated = read.uint16(TAG.bitsAllocated) ?? 0
  if (!BITS_ALLOCATED.has(bitsAllocated)) throw new DicomReadError(`Unsupported Bits Allocated (${bitsAllocated})`)
  // The decoder allocates a frame from the header before it reads a byte of the codestream:
  // a small compressed file must not declare a frame no tab can hold.
  const frameBytes = Math.ceil((rows * columns * samplesPerPixel * bitsAllocated) / 8)
  if (frameBytes > MAX_DECODED_FRAME_BYTES) {
    throw new DicomReadError(
      `Image is too large to display: one frame of ${columns}×${rows} would take ${mebibytes(frameBytes)} MiB (limit ${mebibytes(MAX_DECODED_FRAME_BYTES)} MiB)`,
    )
  }
  const layout = {
    rows,
    columns,
    numberOfFrames,
    samplesPerPixel,
    bitsAllocated,
    photometricInterpretation: read.ascii(TAG.photometricInterpretation),
    pixelRepresentation: read.uint16(TAG.pixelRepresentation) ?? 0,
  }
  checkColourModel(layout.photometricInterpretation, samplesPerPixel, hasPalettes)
  if (headOfFileSize === null) {
    checkPixelData(pixelData, layout, syntax, bytes.length)
    if (syntax.encapsulated) checkCodestreams(bytes, pixelData, layout, transferSyntaxUid)
  } else if (!syntax.encapsulated) {
    checkPixelData(pixelData, layout, syntax, headOfFileSize)
    if (pixelData.dataOffset + pixelData.length > headOfFileSize) throw new DicomReadError('Pixel data runs past the end of the file')
  }
  return layout
}

/** The data set up to the Pixel Data element's header, from a head that must hold it. */
function parseHead(head: Uint8Array): DataSet {
  const syntax = dicomParser.readPart10Header(head).string(TAG.transferSyntaxUid) ?? ''
  if (syntax === DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN) throw new DicomReadError('Deflated data sets are read whole')
  const dataSet = dicomParser.parseDicom(head, { untilTag: TAG.pixelData })
  if (!dataSet.elements[TAG.pixelData] || dataSet.warnings.length > 0) throw new DicomReadError('Pixel data is not within the head')
  return dataSet
}

function missingHeaderWarning(missing: MissingHeader): InstanceWarning {
  if (missing.kind === 'no-preamble') {
    return { kind: 'no-preamble', message: "No 128-byte preamble and 'DICM' marker before the file meta information: read without them" }
  }
  const syntax = transferSyntax(missing.transferSyntaxUid)?.name ?? missing.transferSyntaxUid
  return { kind: 'no-file-meta', message: `No file header (preamble, 'DICM', file meta information): read as a bare data set in ${syntax}` }
}

function generatedStudyUid(read: AttributeReader, warnings: InstanceWarning[]): string {
  const names = [TAG.patientId, TAG.patientName, TAG.studyDate, TAG.studyTime, TAG.accessionNumber, TAG.studyId, TAG.studyDescription].map((tag) => read.text(tag))
  const generated = uidFromText(['parallax-generated-study', ...names].join('\\'))
  warnings.push({ kind: 'generated-study-uid', message: `No Study Instance UID (0020,000D): grouped under a generated study (${generated})` })
  return generated
}

// dicom-parser 1.8.21 re-reads the array its inflater returns from byte 0, preamble and
// 'DICM' included, and only lands on the meta header by luck when the preamble is zeros.
// Covering bytes 0..131 with one explicit-VR element, Data Set Trailing Padding (FFFC,FFFC),
// OB, of length 120, makes it land on the meta header whatever the preamble held.
const DATA_SET_TRAILING_PADDING = 'xfffcfffc'
const PREAMBLE_PADDING_ELEMENT = [0xfc, 0xff, 0xfc, 0xff, 0x4f, 0x42, 0, 0, MAGIC_END - 12, 0, 0, 0]

function cappedInflater(maxInflatedBytes: number) {
  return (bytes: Uint8Array, position: number): Uint8Array => {
    if (position >= bytes.length) throw new DicomReadError('File is truncated: nothing follows the file header')
    let full: Uint8Array
    try {
      full = inflateRawCapped(bytes.subarray(position), maxInflatedBytes, position)
    } catch (error) {
      if (error instanceof InflateLimitError) throw error
      throw new DicomReadError(`Deflated data set is corrupt (${errorMessage(error)})`)
    }
    full.set(PREAMBLE_PADDING_ELEMENT, 0)
    full.set(bytes.subarray(MAGIC_END, position), MAGIC_END)
    return full
  }
}

function rejectionReason(error: unknown): string {
  if (error instanceof DicomReadError) return error.message
  if (error instanceof InflateLimitError) {
    return `Deflated data set expands beyond the ${mebibytes(error.limitBytes)} MiB limit (possible deflate bomb)`
  }
  const message = errorMessage(error)
  // V8 and WebKit: RangeError "Maximum call stack size exceeded"; Firefox: "too much recursion".
  if (/call stack|too much recursion/i.test(message)) return 'Sequences are nested too deeply to read'
  // ('maxP osition' is spelled so in one of dicom-parser's messages.)
  if (/past end of buffer|buffer overrun|buffer overread|maxP ?osition|position' cannot be greater/.test(message)) {
    return "File is truncated or corrupt: data ends before an attribute's declared length"
  }
  if (/missing required meta header attribute 0002,0010/.test(message)) return 'File header has no Transfer Syntax UID (0002,0010)'
  if (/basic offset table not found/.test(message)) return 'Pixel data is corrupt: undefined length, but no compressed fragments'
  const item = /item tag \(FFFE,E000\) not found at offset (\d+)/.exec(message)
  if (item) return `A sequence is corrupt: no item where one should start (byte ${item[1]})`
  return `Could not read the file: ${message.replace(/^dicomParser[.\w]*:?\s*/, '')}`
}
