// The Part 10 file header: a 128-byte preamble, 'DICM', then the file meta information
// (group 0002) that names the transfer syntax. Files without it are common (data sets
// written straight from memory, old archives) and mature viewers open them, so we do: a
// data set without the preamble is given one, and a bare data set (no file meta either)
// gets file meta information naming the transfer syntax its first element shows.
import { VALUE_REPRESENTATIONS } from './dataset-integrity'

/** A UUID-derived root (2.25) identifying Parallax as the writer of file meta information. */
export const IMPLEMENTATION_CLASS_UID = '2.25.161934476017316563098392617021843221301'

const PREAMBLE_BYTES = 128
const MAGIC_END = PREAMBLE_BYTES + 4
const IMPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2'
const EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1'
const EXPLICIT_VR_BIG_ENDIAN = '1.2.840.10008.1.2.2'

/** True when the bytes carry the Part 10 'DICM' marker after the 128-byte preamble. */
export function hasDicmMarker(bytes: Uint8Array): boolean {
  return bytes.length >= MAGIC_END && bytes[128] === 0x44 && bytes[129] === 0x49 && bytes[130] === 0x43 && bytes[131] === 0x4d
}

export type MissingHeader =
  /** File meta information without the preamble and 'DICM' before it. */
  | { kind: 'no-preamble' }
  /** A data set alone; its transfer syntax told from its first element. */
  | { kind: 'no-file-meta'; transferSyntaxUid: string }

const vrAt = (bytes: Uint8Array, at: number) => String.fromCharCode(bytes[at]!, bytes[at + 1]!)

/**
 * What is missing from a file without the 'DICM' marker, or null when it does not start
 * like DICOM at all. A data set starts with a group 0002 element when it has file meta
 * information, else (almost always) with a group 0008 one; two letters of a VR after the
 * tag mean explicit VR, and the byte order of the group number says which endianness.
 */
export function missingHeader(bytes: Uint8Array): MissingHeader | null {
  if (bytes.length < 8) return null
  const explicit = VALUE_REPRESENTATIONS.has(vrAt(bytes, 4))
  if (bytes[0] === 0x02 && bytes[1] === 0x00 && bytes[2] === 0x00 && bytes[3] === 0x00 && vrAt(bytes, 4) === 'UL') return { kind: 'no-preamble' }
  if (bytes[0] === 0x08 && bytes[1] === 0x00) return { kind: 'no-file-meta', transferSyntaxUid: explicit ? EXPLICIT_VR_LITTLE_ENDIAN : IMPLICIT_VR_LITTLE_ENDIAN }
  if (bytes[0] === 0x00 && bytes[1] === 0x08 && explicit) return { kind: 'no-file-meta', transferSyntaxUid: EXPLICIT_VR_BIG_ENDIAN }
  return null
}

/** The SOP Class and Instance UIDs for the file meta information, when known. */
export interface FileIdentity {
  sopClassUid?: string
  sopInstanceUid?: string
}

/** The file as Part 10: the preamble and 'DICM' added, and file meta information when it has none. */
export function wrapAsPart10(bytes: Uint8Array, missing: MissingHeader, identity: FileIdentity = {}): Uint8Array {
  const header = missing.kind === 'no-preamble' ? prefix(new Uint8Array(0)) : prefix(fileMetaInformation(missing.transferSyntaxUid, identity))
  const out = new Uint8Array(header.length + bytes.length)
  out.set(header)
  out.set(bytes, header.length)
  return out
}

function prefix(metaInformation: Uint8Array): Uint8Array {
  const out = new Uint8Array(MAGIC_END + metaInformation.length)
  out.set([0x44, 0x49, 0x43, 0x4d], PREAMBLE_BYTES)
  out.set(metaInformation, MAGIC_END)
  return out
}

/** Group 0002 in explicit VR little endian, as PS3.10 lays it out, group length first. */
function fileMetaInformation(transferSyntaxUid: string, identity: FileIdentity): Uint8Array {
  const elements = [
    element(0x0001, 'OB', Uint8Array.of(0, 1)),
    ...(identity.sopClassUid ? [element(0x0002, 'UI', uid(identity.sopClassUid))] : []),
    ...(identity.sopInstanceUid ? [element(0x0003, 'UI', uid(identity.sopInstanceUid))] : []),
    element(0x0010, 'UI', uid(transferSyntaxUid)),
    element(0x0012, 'UI', uid(IMPLEMENTATION_CLASS_UID)),
  ]
  const length = elements.reduce((total, part) => total + part.length, 0)
  const groupLength = new Uint8Array(4)
  new DataView(groupLength.buffer).setUint32(0, length, true)
  const parts = [element(0x0000, 'UL', groupLength), ...elements]
  const out = new Uint8Array(parts.reduce((total, part) => total + part.length, 0))
  let offset = 0
  for (const part of parts) {
    out.set(part, offset)
    offset += part.length
  }
  return out
}

function uid(value: string): Uint8Array {
  // UIDs pad to even length with NUL.
  return new TextEncoder().encode(value.length % 2 === 0 ? value : `${value}\0`)
}

function element(elementNumber: number, vr: 'OB' | 'UI' | 'UL', value: Uint8Array): Uint8Array {
  const long = vr === 'OB'
  const out = new Uint8Array((long ? 12 : 8) + value.length)
  const view = new DataView(out.buffer)
  view.setUint16(0, 0x0002, true)
  view.setUint16(2, elementNumber, true)
  out[4] = vr.charCodeAt(0)
  out[5] = vr.charCodeAt(1)
  if (long) view.setUint32(8, value.length, true)
  else view.setUint16(6, value.length, true)
  out.set(value, long ? 12 : 8)
  return out
}
