// Where everything sits in a valid seed file: every element's tag, VR and length fields
// (nested items included), the items of sequences, and the fragments of encapsulated pixel
// data. The mutators edit these fields in place, so a mutant is a file that is wrong in one
// structural respect (a length, a VR, a tag, a nesting level) rather than random noise.
// Deflated seeds are indexed inflated; the mutant is deflated again afterwards.
import dicomParser, { type DataSet, type Element } from 'dicom-parser'
import { deflateSync } from 'fflate'
import { inflateRawCapped } from '../../lib/dicom/inflate-capped'
import { DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN } from '../../lib/dicom/transfer-syntax'

const LONG_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'UC', 'UN', 'UR', 'UT', 'SV', 'UV'])
const BIG_ENDIAN = '1.2.840.10008.1.2.2'
const IMPLICIT = '1.2.840.10008.1.2'

export interface ElementInfo {
  /** `x00280010`, or `x52009230[3].x00209113[0].x00200032` inside sequences. */
  path: string
  tag: string
  depth: number
  headerOffset: number
  /** Offset of the two VR characters; null in implicit VR. */
  vrOffset: number | null
  lengthOffset: number
  lengthBytes: 2 | 4
  littleEndian: boolean
  dataOffset: number
  /** The element's whole extent ends here (delimiters of undefined-length values included). */
  end: number
  vr: string | undefined
  undefinedLength: boolean
}

export interface ItemInfo {
  path: string
  headerOffset: number
  dataOffset: number
  end: number
  undefinedLength: boolean
  littleEndian: boolean
}

export interface FragmentInfo {
  index: number
  headerOffset: number
  /** First byte of the fragment's value (the codestream). */
  position: number
  length: number
}

export interface SeedModel {
  name: string
  /** The file as mutators see it: the data set inflated when the seed is deflated. */
  plain: Uint8Array
  deflated: boolean
  /** End of the file meta information (the data set starts here). */
  metaEnd: number
  transferSyntaxUid: string
  elements: ElementInfo[]
  items: ItemInfo[]
  fragments: FragmentInfo[]
  /** The Basic Offset Table item's header, for encapsulated pixel data. */
  offsetTable: { headerOffset: number; length: number } | null
}

function metaHeaderEnd(bytes: Uint8Array): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  return 132 + 12 + view.getUint32(140, true)
}

/** Indexes a valid Part 10 file; throws when the seed itself does not parse. */
export function modelSeed(name: string, bytes: Uint8Array): SeedModel {
  const metaEnd = metaHeaderEnd(bytes)
  const meta = dicomParser.readPart10Header(bytes)
  const transferSyntaxUid = (meta.string('x00020010') ?? '').trim()
  const deflated = transferSyntaxUid === DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN
  const plain = deflated ? concat(bytes.subarray(0, metaEnd), inflateRawCapped(bytes.subarray(metaEnd), 256 * 1024 * 1024)) : bytes
  // dicom-parser re-reads what its inflater returns from byte 0: hand it the inflated file
  // with the preamble covered by one padding element (as parse-instance.ts does), so its
  // offsets are offsets into `plain`.
  const dataSet = dicomParser.parseDicom(bytes, deflated ? { inflater: () => withPaddedPreamble(plain) } : undefined)
  const model: SeedModel = { name, plain, deflated, metaEnd, transferSyntaxUid, elements: [], items: [], fragments: [], offsetTable: null }
  const explicit = transferSyntaxUid !== IMPLICIT
  const littleEndian = transferSyntaxUid !== BIG_ENDIAN
  indexDataSet(model, dataSet, '', 0, explicit, littleEndian)
  return model
}

function indexDataSet(model: SeedModel, dataSet: DataSet, prefix: string, depth: number, explicit: boolean, littleEndian: boolean): void {
  for (const [tag, element] of Object.entries(dataSet.elements)) {
    if (tag === PADDING_TAG) continue
    const isMeta = depth === 0 && tag.startsWith('x0002')
    const info = elementInfo(prefix + tag, tag, element, depth, isMeta || explicit, isMeta || littleEndian)
    model.elements.push(info)
    if (element.items) {
      element.items.forEach((item, index) => {
        const path = `${prefix}${tag}[${index}]`
        model.items.push({
          path,
          headerOffset: item.dataOffset - 8,
          dataOffset: item.dataOffset,
          end: item.dataOffset + item.length,
          undefinedLength: item.hadUndefinedLength ?? false,
          littleEndian,
        })
        if (item.dataSet) indexDataSet(model, item.dataSet, `${path}.`, depth + 1, explicit, littleEndian)
      })
    }
    if (depth === 0 && element.encapsulatedPixelData && element.fragments) {
      model.offsetTable = { headerOffset: element.dataOffset, length: (element.basicOffsetTable?.length ?? 0) * 4 }
      model.fragments = element.fragments.map((fragment, index) => ({ index, headerOffset: fragment.position - 8, position: fragment.position, length: fragment.length }))
    }
  }
}

const PADDING_TAG = 'xfffcfffc'

function withPaddedPreamble(plain: Uint8Array): Uint8Array {
  const copy = new Uint8Array(plain)
  copy.set([0xfc, 0xff, 0xfc, 0xff, 0x4f, 0x42, 0, 0, 120, 0, 0, 0], 0)
  return copy
}

function elementInfo(path: string, tag: string, element: Element, depth: number, explicit: boolean, littleEndian: boolean): ElementInfo {
  const long = explicit && element.vr !== undefined && LONG_VRS.has(element.vr)
  const headerBytes = explicit ? (long ? 12 : 8) : 8
  const lengthBytes = explicit && !long ? 2 : 4
  const headerOffset = element.dataOffset - headerBytes
  return {
    path,
    tag,
    depth,
    headerOffset,
    vrOffset: explicit ? headerOffset + 4 : null,
    lengthOffset: element.dataOffset - lengthBytes,
    lengthBytes,
    littleEndian,
    dataOffset: element.dataOffset,
    end: element.dataOffset + element.length,
    vr: element.vr,
    undefinedLength: element.hadUndefinedLength ?? false,
  }
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((total, part) => total + part.length, 0))
  let offset = 0
  for (const part of parts) {
    out.set(part, offset)
    offset += part.length
  }
  return out
}

/** The mutant's bytes as a file: the data set deflated again when the seed was deflated. */
export function encodeMutant(model: SeedModel, plain: Uint8Array, metaEnd: number): Uint8Array {
  if (!model.deflated) return plain
  return concat(plain.subarray(0, metaEnd), deflateSync(plain.subarray(metaEnd), { level: 1 }))
}
