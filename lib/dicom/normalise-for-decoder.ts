// Rewrites the few valid files that Cornerstone's loader cannot decode as they are, into
// equivalent files it can, before they reach it:
// - Files without the Part 10 header (part10.ts): the loader needs the preamble, 'DICM'
//   and file meta information, so they are added as parsing assumed them.
// - A wrong or missing File Meta Information Group Length (0002,0000): the loader's
//   metadata reader (dcmjs) trusts it to find where the data set starts, and a wrong one
//   makes it read lengths from the middle of values (and allocate gigabytes for them); our
//   parser reads the meta elements themselves, so we write the length they add up to.
// - Deflated Explicit VR Little Endian: the loader's metadata path does not inflate the
//   data set, so we inflate it (with the same cap as parsing) and relabel the file
//   Explicit VR Little Endian. The data set bytes are unchanged.
// - Encapsulated multi-frame pixel data with an empty Basic Offset Table and frames split
//   over several fragments: the loader cannot find where frames start when a padded
//   fragment ends a frame, so we fill in the offset table from the JPEG start-of-image
//   markers.
// - Native YBR_FULL_422 (two luma values per chroma pair): the loader does not convert it
//   and hands the viewport two values per pixel where it expects three (a garbled image,
//   or a TypeError when the count is not a multiple of three), so each pair's chroma is
//   repeated for both pixels and the file relabelled YBR_FULL, as a 4:2:2 decoder does.
// - Native 1-bit pixel data (SEG): the loader leaves the bits packed, eight pixels to a
//   value, so they are unpacked to one byte per pixel and the file relabelled 8-bit.
// All are lossless rewrites; stored pixel values are kept (YBR 4:2:2 only gains the
// chroma copies every display of it makes).
import dicomParser, { type Element } from 'dicom-parser'
import { inflateRawCapped } from './inflate-capped'
import { hasDicmMarker, missingHeader, wrapAsPart10 } from './part10'
import { DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN } from './transfer-syntax'
import type { DicomInstance } from './types'

const EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1'
const PREAMBLE_AND_MAGIC = 132

function littleEndian32(bytes: Uint8Array, offset: number, value: number) {
  new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).setUint32(offset, value, true)
}

/** The file with a (0002,0000) group length that matches its meta elements, or null when it already has one. */
export function withMetaGroupLength(bytes: Uint8Array): Uint8Array | null {
  const meta = dicomParser.readPart10Header(bytes)
  const end = Object.values(meta.elements).reduce((last, element) => Math.max(last, element.dataOffset + element.length), PREAMBLE_AND_MAGIC)
  const groupLength = meta.elements.x00020000
  if (groupLength && groupLength.dataOffset === PREAMBLE_AND_MAGIC + 8 && groupLength.length === 4) {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    if (view.getUint32(groupLength.dataOffset, true) === end - groupLength.dataOffset - 4) return null
    const out = new Uint8Array(bytes)
    littleEndian32(out, groupLength.dataOffset, end - groupLength.dataOffset - 4)
    return out
  }
  if (groupLength) return null
  // Missing: insert one (explicit VR UL, 12 bytes) before the first meta element.
  const element = new Uint8Array([0x02, 0x00, 0x00, 0x00, 0x55, 0x4c, 0x04, 0x00, 0, 0, 0, 0])
  littleEndian32(element, 8, end - PREAMBLE_AND_MAGIC)
  const out = new Uint8Array(bytes.length + element.length)
  out.set(bytes.subarray(0, PREAMBLE_AND_MAGIC))
  out.set(element, PREAMBLE_AND_MAGIC)
  out.set(bytes.subarray(PREAMBLE_AND_MAGIC), PREAMBLE_AND_MAGIC + element.length)
  return out
}

/** The meta header's end: 132 + the (0002,0000) element (12 bytes) + its value. */
function metaHeaderEnd(bytes: Uint8Array): { end: number; groupLengthValueOffset: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  if (view.getUint16(PREAMBLE_AND_MAGIC, true) !== 0x0002 || view.getUint16(PREAMBLE_AND_MAGIC + 2, true) !== 0x0000) {
    throw new Error('the file meta information does not start with its group length')
  }
  return { end: PREAMBLE_AND_MAGIC + 12 + view.getUint32(PREAMBLE_AND_MAGIC + 8, true), groupLengthValueOffset: PREAMBLE_AND_MAGIC + 8 }
}

export function inflateDeflatedFile(bytes: Uint8Array, maxInflatedBytes: number): Uint8Array {
  const { end, groupLengthValueOffset } = metaHeaderEnd(bytes)
  const meta = dicomParser.readPart10Header(bytes)
  const syntax = meta.elements.x00020010
  if (!syntax || meta.string('x00020010') !== DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN) throw new Error('not a deflated file')
  const newUid = new TextEncoder().encode(EXPLICIT_VR_LITTLE_ENDIAN + '\0') // UIDs pad to even length with NUL
  const delta = newUid.length - syntax.length
  const inflated = inflateRawCapped(bytes.subarray(end), maxInflatedBytes)
  const out = new Uint8Array(end + delta + inflated.length)
  out.set(bytes.subarray(0, syntax.dataOffset))
  out.set(newUid, syntax.dataOffset)
  out.set(bytes.subarray(syntax.dataOffset + syntax.length, end), syntax.dataOffset + newUid.length)
  out.set(inflated, end + delta)
  // Explicit VR short form: the 2-byte length sits just before the value.
  new DataView(out.buffer).setUint16(syntax.dataOffset - 2, newUid.length, true)
  littleEndian32(out, groupLengthValueOffset, end - PREAMBLE_AND_MAGIC - 12 + delta)
  return out
}

/** Offsets of the frames' first fragments, or null when they cannot be told apart. */
function jpegFrameOffsets(bytes: Uint8Array, fragments: dicomParser.Fragment[], frames: number): number[] | null {
  const starts = fragments.filter((fragment) => bytes[fragment.position] === 0xff && bytes[fragment.position + 1] === 0xd8)
  return starts.length === frames ? starts.map((fragment) => fragment.offset) : null
}

export function addBasicOffsetTable(bytes: Uint8Array): Uint8Array | null {
  const dataSet = dicomParser.parseDicom(bytes)
  const pixelData = dataSet.elements.x7fe00010
  const frames = dataSet.intString('x00280008') ?? 1
  if (!pixelData?.encapsulatedPixelData || !pixelData.fragments || frames < 2) return null
  if (pixelData.basicOffsetTable && pixelData.basicOffsetTable.length > 0) return null
  if (pixelData.fragments.length === frames) return null
  const offsets = jpegFrameOffsets(bytes, pixelData.fragments, frames)
  if (!offsets) return null
  // The offset table is the first item of the pixel data: tag (4 bytes), length (4), values.
  const itemLengthOffset = pixelData.dataOffset + 4
  const insertAt = pixelData.dataOffset + 8
  const table = new Uint8Array(offsets.length * 4)
  offsets.forEach((offset, index) => littleEndian32(table, index * 4, offset))
  const out = new Uint8Array(bytes.length + table.length)
  out.set(bytes.subarray(0, insertAt))
  out.set(table, insertAt)
  out.set(bytes.subarray(insertAt), insertAt + table.length)
  littleEndian32(out, itemLengthOffset, table.length)
  return out
}

const NATIVE_SYNTAXES = new Set(['1.2.840.10008.1.2', EXPLICIT_VR_LITTLE_ENDIAN, '1.2.840.10008.1.2.2'])

/** Native 8-bit YBR_FULL_422 pixel data expanded to YBR_FULL (Y1 Y2 Cb Cr → Y1 Cb Cr Y2 Cb Cr), or null when the file has none. */
export function expandYbrFull422(bytes: Uint8Array, transferSyntaxUid: string): Uint8Array | null {
  if (!NATIVE_SYNTAXES.has(transferSyntaxUid)) return null
  const dataSet = dicomParser.parseDicom(bytes)
  const photometric = dataSet.elements.x00280004
  const pixelData = dataSet.elements.x7fe00010
  if (!photometric || !pixelData || dataSet.string('x00280004')?.trim() !== 'YBR_FULL_422' || dataSet.uint16('x00280100') !== 8) return null
  const rows = dataSet.uint16('x00280010') ?? 0
  const columns = dataSet.uint16('x00280011') ?? 0
  const pairs = (rows * columns * (dataSet.intString('x00280008') ?? 1)) / 2
  if (columns % 2 !== 0 || pixelData.length < pairs * 4) return null
  const source = bytes.subarray(pixelData.dataOffset, pixelData.dataOffset + pairs * 4)
  const expanded = new Uint8Array(pairs * 6)
  for (let pair = 0; pair < pairs; pair++) {
    const [y1, y2, cb, cr] = source.subarray(pair * 4, pair * 4 + 4)
    expanded.set([y1!, cb!, cr!, y2!, cb!, cr!], pair * 6)
  }
  const littleEndian = transferSyntaxUid !== '1.2.840.10008.1.2.2'
  // Explicit VR CS has a 2-byte length before its value; implicit VR a 4-byte one. Pixel Data's is 4 bytes either way.
  const explicit = transferSyntaxUid !== '1.2.840.10008.1.2'
  const label = new TextEncoder().encode('YBR_FULL')
  const lengthBytes = explicit ? 2 : 4
  return splice(bytes, [
    { at: photometric.dataOffset - lengthBytes, remove: lengthBytes + photometric.length, insert: [uintBytes(label.length, lengthBytes, littleEndian), label] },
    { at: pixelData.dataOffset - 4, remove: 4 + pixelData.length, insert: [uintBytes(expanded.length, 4, littleEndian), expanded] },
  ])
}

/** Native 1-bit pixel data (SEG) unpacked to one byte per pixel and relabelled 8-bit, or null when the file has none. */
export function unpackOneBit(bytes: Uint8Array, transferSyntaxUid: string): Uint8Array | null {
  if (!NATIVE_SYNTAXES.has(transferSyntaxUid)) return null
  const dataSet = dicomParser.parseDicom(bytes)
  const pixelData = dataSet.elements.x7fe00010
  const bits = ['x00280100', 'x00280101', 'x00280102'].map((tag) => dataSet.elements[tag])
  if (!pixelData || dataSet.uint16('x00280100') !== 1 || bits.some((element) => !element || element.length !== 2)) return null
  const pixels = (dataSet.uint16('x00280010') ?? 0) * (dataSet.uint16('x00280011') ?? 0) * (dataSet.intString('x00280008') ?? 1) * (dataSet.uint16('x00280002') ?? 1)
  if (pixelData.length < Math.ceil(pixels / 8)) return null
  // Bits run least significant first, across frame boundaries (PS3.5 8.1.1).
  const unpacked = new Uint8Array(pixels)
  for (let pixel = 0; pixel < pixels; pixel++) unpacked[pixel] = (bytes[pixelData.dataOffset + (pixel >> 3)]! >> (pixel & 7)) & 1
  const littleEndian = transferSyntaxUid !== '1.2.840.10008.1.2.2'
  const [allocated, stored, highBit] = bits as [Element, Element, Element]
  return splice(bytes, [
    { at: allocated.dataOffset, remove: 2, insert: [uintBytes(8, 2, littleEndian)] },
    { at: stored.dataOffset, remove: 2, insert: [uintBytes(8, 2, littleEndian)] },
    { at: highBit.dataOffset, remove: 2, insert: [uintBytes(7, 2, littleEndian)] },
    { at: pixelData.dataOffset - 4, remove: 4 + pixelData.length, insert: [uintBytes(unpacked.length, 4, littleEndian), unpacked] },
  ])
}

function uintBytes(value: number, size: 2 | 4, littleEndian: boolean): Uint8Array {
  const out = new Uint8Array(size)
  if (size === 2) new DataView(out.buffer).setUint16(0, value, littleEndian)
  else new DataView(out.buffer).setUint32(0, value, littleEndian)
  return out
}

/** `bytes` with each edit's range replaced; edits in ascending order, not overlapping. */
function splice(bytes: Uint8Array, edits: { at: number; remove: number; insert: Uint8Array[] }[]): Uint8Array {
  const parts: Uint8Array[] = []
  let position = 0
  for (const edit of edits) {
    parts.push(bytes.subarray(position, edit.at), ...edit.insert)
    position = edit.at + edit.remove
  }
  parts.push(bytes.subarray(position))
  const out = new Uint8Array(parts.reduce((total, part) => total + part.length, 0))
  let offset = 0
  for (const part of parts) {
    out.set(part, offset)
    offset += part.length
  }
  return out
}

/** What normaliseForDecoder needs to know of the instance the file was read as. */
export type DecoderInput = Pick<DicomInstance, 'transferSyntaxUid' | 'numberOfFrames' | 'sopClassUid' | 'sopInstanceUid' | 'photometricInterpretation' | 'bitsAllocated'>

/** The bytes to hand to the decoder for this file, when they must differ from the file's. */
export function normaliseForDecoder(bytes: Uint8Array, instance: DecoderInput, maxInflatedBytes: number): Uint8Array | null {
  let current = bytes
  let changed = false
  const apply = (rewritten: Uint8Array | null) => {
    if (!rewritten) return
    current = rewritten
    changed = true
  }
  const missing = hasDicmMarker(bytes) ? null : missingHeader(bytes)
  if (missing) apply(wrapAsPart10(bytes, missing, instance))
  apply(withMetaGroupLength(current))
  let syntax = instance.transferSyntaxUid
  if (syntax === DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN) {
    apply(inflateDeflatedFile(current, maxInflatedBytes))
    syntax = EXPLICIT_VR_LITTLE_ENDIAN
  } else if (instance.numberOfFrames > 1 && syntax !== EXPLICIT_VR_LITTLE_ENDIAN) apply(addBasicOffsetTable(current))
  if (instance.photometricInterpretation === 'YBR_FULL_422') apply(expandYbrFull422(current, syntax))
  if (instance.bitsAllocated === 1) apply(unpackOneBit(current, syntax))
  return changed ? current : null
}

/** Whether normaliseForDecoder may rewrite the file whose first bytes are `head`: such files are read whole at ingestion, where it runs. */
export function mayNeedNormalising(head: Uint8Array, instance: DecoderInput): boolean {
  const { transferSyntaxUid: syntax, numberOfFrames, photometricInterpretation, bitsAllocated } = instance
  if (!hasDicmMarker(head) || syntax === DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN) return true
  if ((numberOfFrames > 1 && syntax !== EXPLICIT_VR_LITTLE_ENDIAN) || photometricInterpretation === 'YBR_FULL_422' || bitsAllocated === 1) return true
  return withMetaGroupLength(head) !== null
}
