// Builds DICOM Part 10 bytes in memory for tests: small synthetic images, and hostile
// structures (deep nesting) that no real file on disk should be needed for. Explicit VR
// Little Endian only; real files cover the other encodings.

const encoder = new TextEncoder()

const EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1'
export const CT_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.2'

// VRs whose explicit encoding has two reserved bytes and a 32-bit length.
const LONG_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'UC', 'UN', 'UR', 'UT', 'SV', 'UV'])

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((total, part) => total + part.length, 0))
  let offset = 0
  for (const part of parts) {
    out.set(part, offset)
    offset += part.length
  }
  return out
}

/** Element header: tag as 0xGGGGEEEE, VR, and a length (0xFFFFFFFF for undefined). */
export function elementHeader(tag: number, vr: string, length: number): Uint8Array {
  const long = LONG_VRS.has(vr)
  const header = new Uint8Array(long ? 12 : 8)
  const view = new DataView(header.buffer)
  view.setUint16(0, tag >>> 16, true)
  view.setUint16(2, tag & 0xffff, true)
  header.set(encoder.encode(vr), 4)
  if (long) view.setUint32(8, length, true)
  else view.setUint16(6, length, true)
  return header
}

export function element(tag: number, vr: string, value: Uint8Array): Uint8Array {
  return concatBytes([elementHeader(tag, vr, value.length), value])
}

/** A text value padded to even length: UIDs with NUL, everything else with a space. */
export function text(tag: number, vr: string, value: string): Uint8Array {
  const bytes = encoder.encode(value)
  const padded = bytes.length % 2 === 0 ? bytes : concatBytes([bytes, new Uint8Array([vr === 'UI' ? 0 : 0x20])])
  return element(tag, vr, padded)
}

export function us(tag: number, value: number): Uint8Array {
  const bytes = new Uint8Array(2)
  new DataView(bytes.buffer).setUint16(0, value, true)
  return element(tag, 'US', bytes)
}

function ul(tag: number, value: number): Uint8Array {
  const bytes = new Uint8Array(4)
  new DataView(bytes.buffer).setUint32(0, value, true)
  return element(tag, 'UL', bytes)
}

/** A sequence of undefined length whose items (data set bytes) have undefined length too. */
export function sequence(tag: number, items: readonly Uint8Array[]): Uint8Array {
  return concatBytes([elementHeader(tag, 'SQ', 0xffffffff), ...items.flatMap((item) => [ITEM_START, item, ITEM_END]), SEQUENCE_END])
}

const ITEM_START = new Uint8Array([0xfe, 0xff, 0x00, 0xe0, 0xff, 0xff, 0xff, 0xff])
const ITEM_END = new Uint8Array([0xfe, 0xff, 0x0d, 0xe0, 0, 0, 0, 0])
const SEQUENCE_END = new Uint8Array([0xfe, 0xff, 0xdd, 0xe0, 0, 0, 0, 0])

/** `depth` sequences each nested in the previous one's only item, built without recursion. */
export function deeplyNestedSequence(tag: number, depth: number): Uint8Array {
  const open = concatBytes([elementHeader(tag, 'SQ', 0xffffffff), ITEM_START])
  const close = concatBytes([ITEM_END, SEQUENCE_END])
  const out = new Uint8Array(depth * (open.length + close.length))
  for (let level = 0; level < depth; level++) {
    out.set(open, level * open.length)
    out.set(close, depth * open.length + level * close.length)
  }
  return out
}

/** Preamble, 'DICM', file meta information, then the data set bytes as given. */
export function part10(dataSet: Uint8Array, meta: { sopClassUid: string; sopInstanceUid: string; transferSyntaxUid?: string }): Uint8Array {
  const metaElements = concatBytes([
    element(0x00020001, 'OB', new Uint8Array([0, 1])),
    text(0x00020002, 'UI', meta.sopClassUid),
    text(0x00020003, 'UI', meta.sopInstanceUid),
    text(0x00020010, 'UI', meta.transferSyntaxUid ?? EXPLICIT_VR_LITTLE_ENDIAN),
    text(0x00020012, 'UI', '1.2.826.0.1.3680043.10.1'),
  ])
  return concatBytes([new Uint8Array(128), encoder.encode('DICM'), ul(0x00020000, metaElements.length), metaElements, dataSet])
}

export interface SyntheticImage {
  sopInstanceUid: string
  patientName?: string
  instanceNumber?: number
  position?: [number, number, number]
  /** null leaves the Study Instance UID out. */
  studyInstanceUid?: string | null
  /** Extra elements, already encoded, placed before Pixel Data (keep tags ascending). */
  extra?: Uint8Array
}

/** A small, valid 4×4 axial CT image (16-bit, native) in one fixed study and series. */
export function syntheticCtImage(image: SyntheticImage): Uint8Array {
  const rows = 4
  const columns = 4
  const dataSet = concatBytes([
    text(0x00080016, 'UI', CT_IMAGE_STORAGE),
    text(0x00080018, 'UI', image.sopInstanceUid),
    text(0x00080020, 'DA', '20240102'),
    text(0x00080060, 'CS', 'CT'),
    text(0x00100010, 'PN', image.patientName ?? 'Test^Patient'),
    text(0x00100020, 'LO', 'TEST-1'),
    image.studyInstanceUid === null ? new Uint8Array(0) : text(0x0020000d, 'UI', image.studyInstanceUid ?? '1.2.826.0.1.3680043.10.2'),
    text(0x0020000e, 'UI', '1.2.826.0.1.3680043.10.3'),
    text(0x00200011, 'IS', '1'),
    text(0x00200013, 'IS', String(image.instanceNumber ?? 1)),
    text(0x00200032, 'DS', (image.position ?? [0, 0, 0]).join('\\')),
    text(0x00200037, 'DS', '1\\0\\0\\0\\1\\0'),
    us(0x00280002, 1),
    text(0x00280004, 'CS', 'MONOCHROME2'),
    us(0x00280010, rows),
    us(0x00280011, columns),
    text(0x00280030, 'DS', '0.5\\0.5'),
    us(0x00280100, 16),
    us(0x00280101, 16),
    us(0x00280102, 15),
    us(0x00280103, 0),
    image.extra ?? new Uint8Array(0),
    element(0x7fe00010, 'OW', new Uint8Array(rows * columns * 2)),
  ])
  return part10(dataSet, { sopClassUid: CT_IMAGE_STORAGE, sopInstanceUid: image.sopInstanceUid })
}
