// Typed, bounded reads of attribute values from a dicom-parser DataSet. Values are read
// from the top-level data set, or, for enhanced multi-frame objects (SEG, Enhanced CT/MR),
// from the functional group macro that carries them: shared groups first, then the first
// frame's. Person names and descriptions are decoded with the file's character set.
import type { DataSet, Element } from 'dicom-parser'
import { DicomReadError } from './read-error'
import { TAG, formatTag } from './tags'

/**
 * The attributes read here have short value representations (64 characters for LO and UI,
 * 16 per DS value); anything far longer is corruption, and decoding it would cost memory.
 */
const MAX_ATTRIBUTE_BYTES = 4096

// Specific Character Set (0008,0005) defined terms → WHATWG encoding labels. ISO 2022
// variants of a single-byte set decode like the set itself as long as they carry no
// escape sequences, which is the common case; Japanese uses the ISO-2022-JP decoder.
const ENCODINGS: Record<string, string> = {
  '': 'latin1',
  'ISO_IR 6': 'latin1',
  'ISO_IR 100': 'latin1',
  'ISO_IR 101': 'iso-8859-2',
  'ISO_IR 109': 'iso-8859-3',
  'ISO_IR 110': 'iso-8859-4',
  'ISO_IR 144': 'iso-8859-5',
  'ISO_IR 127': 'iso-8859-6',
  'ISO_IR 126': 'iso-8859-7',
  'ISO_IR 138': 'iso-8859-8',
  'ISO_IR 148': 'windows-1254',
  'ISO_IR 13': 'shift_jis',
  'ISO_IR 166': 'windows-874',
  'ISO_IR 192': 'utf-8',
  GB18030: 'gb18030',
  GBK: 'gbk',
}

const decoders = new Map<string, TextDecoder>()

function decoderFor(specificCharacterSet: string): TextDecoder {
  const terms = specificCharacterSet.split('\\').map((term) => term.trim())
  const label = terms.some((term) => term === 'ISO 2022 IR 87' || term === 'ISO 2022 IR 159')
    ? 'iso-2022-jp'
    : (ENCODINGS[(terms.find(Boolean) ?? '').replace('ISO 2022 IR ', 'ISO_IR ')] ?? 'latin1')
  let decoder = decoders.get(label)
  if (!decoder) {
    try {
      decoder = new TextDecoder(label)
    } catch {
      // A runtime without that encoding (small-ICU builds): fall back rather than fail.
      decoder = new TextDecoder('latin1')
    }
    decoders.set(label, decoder)
  }
  return decoder
}

/** Functional group macro (sequence) that holds an attribute in enhanced objects. */
type Macro =
  | typeof TAG.planePositionSequence
  | typeof TAG.planeOrientationSequence
  | typeof TAG.pixelMeasuresSequence
  | typeof TAG.pixelValueTransformationSequence
  | typeof TAG.frameVoiLutSequence

function firstItem(dataSet: DataSet | undefined, sequenceTag: string): DataSet | undefined {
  return dataSet?.elements[sequenceTag]?.items?.[0]?.dataSet
}

export class AttributeReader {
  private readonly decoder: TextDecoder

  constructor(private readonly dataSet: DataSet) {
    this.decoder = decoderFor(this.ascii(TAG.specificCharacterSet))
  }

  /** Trimmed ASCII value (UI, CS, DA, TM, IS, DS), every value kept; '' when absent. */
  ascii(tag: string, macro?: Macro): string {
    const holder = this.holder(tag, macro)
    if (!holder || !this.element(holder, tag)) return ''
    return trimValue(holder.string(tag) ?? '')
  }

  /** Trimmed value decoded with the Specific Character Set (PN, LO, SH). */
  text(tag: string): string {
    const element = this.element(this.dataSet, tag)
    if (!element) return ''
    const bytes = this.dataSet.byteArray.subarray(element.dataOffset, element.dataOffset + element.length)
    return trimValue(this.decoder.decode(bytes))
  }

  uint16(tag: string): number | undefined {
    const element = this.element(this.dataSet, tag)
    return element && element.length >= 2 ? this.dataSet.uint16(tag) : undefined
  }

  /** The first IS value as an integer, or null when absent or not an integer. */
  integer(tag: string): number | null {
    const value = parseNumbers(this.ascii(tag))?.[0]
    return value !== undefined && Number.isInteger(value) ? value : null
  }

  /** Exactly `count` finite DS values, or null. */
  decimals(tag: string, count: number, macro?: Macro): number[] | null {
    const values = parseNumbers(this.ascii(tag, macro))
    return values?.length === count ? values : null
  }

  /** The first DS value, or null (WindowCenter and the like may hold several). */
  decimal(tag: string, macro?: Macro): number | null {
    return parseNumbers(this.ascii(tag, macro))?.[0] ?? null
  }

  /** The data set that holds `tag`: top level, else the macro in the functional groups. */
  private holder(tag: string, macro: Macro | undefined): DataSet | undefined {
    if (this.dataSet.elements[tag] || !macro) return this.dataSet
    const shared = firstItem(firstItem(this.dataSet, TAG.sharedFunctionalGroupsSequence), macro)
    if (shared?.elements[tag]) return shared
    return firstItem(firstItem(this.dataSet, TAG.perFrameFunctionalGroupsSequence), macro)
  }

  /** The element when present and non-empty; throws on implausibly long values. */
  private element(dataSet: DataSet, tag: string): Element | undefined {
    const element = dataSet.elements[tag]
    if (!element || element.length === 0) return undefined
    if (element.length > MAX_ATTRIBUTE_BYTES) {
      throw new DicomReadError(`Attribute ${formatTag(tag)} is ${element.length} bytes long; a valid one is far shorter`)
    }
    return element
  }
}

/** Backslash-separated numbers (DS, IS); null when any is empty or not finite. */
function parseNumbers(raw: string): number[] | null {
  if (raw === '') return null
  const parts = raw.split('\\')
  if (parts.some((part) => part.trim() === '')) return null
  const values = parts.map(Number)
  return values.every(Number.isFinite) ? values : null
}

function trimValue(value: string): string {
  return value.replace(/^[\s\0]+|[\s\0]+$/g, '')
}
