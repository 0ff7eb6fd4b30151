// Rewrites the few valid files that Cornerstone's loader cannot decode as they are, into
// equivalent files it can, before they reach it:
// - Deflated Explicit VR Little Endian: the loader's metadata path does not inflate the
//   data set, so we inflate it (with the same cap as parsing) and relabel the file
//   Explicit VR Little Endian. The data set bytes are unchanged.
// - Encapsulated multi-frame pixel data with an empty Basic Offset Table and frames split
//   over several fragments: the loader cannot find where frames start when a padded
//   fragment ends a frame, so we fill in the offset table from the JPEG start-of-image
//   markers.
// Both are lossless rewrites; pixel values are untouched.
import dicomParser from 'dicom-parser'
import { inflateRawCapped } from './inflate-capped'
import { DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN } from './transfer-syntax'

const EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1'
const PREAMBLE_AND_MAGIC = 132

function littleEndian32(bytes: Uint8Array, offset: number, value: number) {
  new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).setUint32(offset, value, true)
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

/** The bytes to hand to the decoder for this file, when they must differ from the file's. */
export function normaliseForDecoder(bytes: Uint8Array, transferSyntaxUid: string, numberOfFrames: number, maxInflatedBytes: number): Uint8Array | null {
  if (transferSyntaxUid === DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN) return inflateDeflatedFile(bytes, maxInflatedBytes)
  if (numberOfFrames > 1 && transferSyntaxUid !== EXPLICIT_VR_LITTLE_ENDIAN) return addBasicOffsetTable(bytes)
  return null
}
