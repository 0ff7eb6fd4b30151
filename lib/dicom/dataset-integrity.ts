// Structural checks on a data set dicom-parser has already walked. dicom-parser is
// lenient where we must not be: in implicit VR it lets the last element run past the end
// of the file, it records unterminated sequences as warnings rather than errors, and it
// keeps whatever two characters stood where an explicit VR should be. Each of those means a
// truncated or corrupt file, so each becomes a rejection here.
import type { DataSet, Element } from 'dicom-parser'
import { DicomReadError } from './read-error'
import { formatTag } from './tags'

export const VALUE_REPRESENTATIONS = new Set([
  'AE',
  'AS',
  'AT',
  'CS',
  'DA',
  'DS',
  'DT',
  'FD',
  'FL',
  'IS',
  'LO',
  'LT',
  'OB',
  'OD',
  'OF',
  'OL',
  'OV',
  'OW',
  'PN',
  'SH',
  'SL',
  'SQ',
  'SS',
  'ST',
  'SV',
  'TM',
  'UC',
  'UI',
  'UL',
  'UN',
  'UR',
  'US',
  'UT',
  'UV',
])

const ITEM_DELIMITER = 'xfffee00d'

// dicom-parser 1.8 reads these with a 2-byte length, DICOM (since 2019) and the viewer's
// reader (dcmjs) with a 4-byte one: the two would read the rest of the file differently.
const UNREADABLE_VRS = new Set(['OV', 'SV', 'UV'])

// Binary VRs that dcmjs reads as numbers. Another length is corrupt, and dcmjs then reads
// a whole number past the element's end and loses its place in the file.
const VALUE_SIZE: Record<string, number> = { AT: 4, FL: 4, FD: 8, SL: 4, SS: 2, UL: 4, US: 2 }

// The VR of each attribute that ingestion or the viewer interprets (PS3.6); UN is allowed
// too, as both readers then use the dictionary's. Another VR is read as another type by
// dcmjs (Rows as a string, the transfer syntax as a number), so the viewer would not see
// the image ingestion checked.
const EXPECTED_VRS: Record<string, string> = {
  x00020000: 'UL',
  x00020001: 'OB',
  x00020002: 'UI',
  x00020003: 'UI',
  x00020010: 'UI',
  x00020012: 'UI',
  x00080005: 'CS',
  x00080016: 'UI',
  x00080018: 'UI',
  x00080060: 'CS',
  x00180050: 'DS',
  x0020000d: 'UI',
  x0020000e: 'UI',
  x00200032: 'DS',
  x00200037: 'DS',
  x00200052: 'UI',
  x00280002: 'US',
  x00280004: 'CS',
  x00280006: 'US',
  x00280008: 'IS',
  x00280010: 'US',
  x00280011: 'US',
  x00280030: 'DS',
  x00280100: 'US',
  x00280101: 'US',
  x00280102: 'US',
  x00280103: 'US',
  x00281050: 'DS',
  x00281051: 'DS',
  x00281052: 'DS',
  x00281053: 'DS',
  x52009229: 'SQ',
  x52009230: 'SQ',
}

/** Throws DicomReadError when the data set is truncated or structurally corrupt. */
export function checkDataSetIntegrity(dataSet: DataSet): void {
  const warning = dataSet.warnings[0]
  if (warning !== undefined) {
    throw new DicomReadError(
      /eof|missing sequence delimiter/i.test(warning) ? 'File is truncated: a sequence or the pixel data is cut off before its end' : `File structure is damaged (${warning})`,
    )
  }

  const fileLength = dataSet.byteArray.length
  // Iterative walk over every element, nested items included: files can nest sequences
  // thousands deep, and this check must not be the thing that overflows the stack.
  const pending: { dataSet: DataSet; undefinedLengthItem: boolean }[] = [{ dataSet, undefinedLengthItem: false }]
  for (let entry = pending.pop(); entry; entry = pending.pop()) {
    const { dataSet: current, undefinedLengthItem } = entry
    // File meta attributes (group 0002) come first, and only at the top: one further on
    // is read by dcmjs as a second file header. (dicom-parser lists them last, so their
    // place is told by offset.)
    const dataSetStart = current === dataSet ? firstDataSetOffset(current) : -1
    for (const [tag, element] of Object.entries(current.elements)) {
      if (tag.startsWith('x0002') && element.dataOffset > dataSetStart) {
        throw new DicomReadError(`File structure is damaged: file meta attribute ${formatTag(tag)} inside the data set`)
      }
      if (tag.startsWith('xfffe')) {
        // dicom-parser keeps the delimiter that ends an undefined-length item among its
        // elements. Any other item or delimiter tag in an attribute's place means the
        // structure was misread here, and other readers (the viewer's) read it otherwise.
        if (tag === ITEM_DELIMITER && undefinedLengthItem && element.length === 0) continue
        throw new DicomReadError(`File structure is damaged: ${formatTag(tag)}, an item or delimiter tag, stands where an attribute should`)
      }
      if (element.dataOffset + element.length > fileLength) {
        throw new DicomReadError(
          `File is truncated or corrupt: attribute ${formatTag(tag)} declares ${element.length} bytes, but only ${Math.max(0, fileLength - element.dataOffset)} remain`,
        )
      }
      // Implicit VR elements have no VR (undefined); explicit ones must have a real one.
      if (element.vr !== undefined) checkVr(tag, element, current === dataSet)
      for (const item of element.items ?? []) if (item.dataSet) pending.push({ dataSet: item.dataSet, undefinedLengthItem: item.hadUndefinedLength === true })
    }
  }
  checkEveryByteAccountedFor(dataSet)
}

const LONG_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'UC', 'UN', 'UR', 'UT', 'SV', 'UV'])

/**
 * The top-level attributes, headers included, must add up to the data set: dicom-parser
 * keeps only the last of two attributes with one tag (an item tag turned into a meta tag,
 * a copied element), and the first is then read by no one but dcmjs.
 */
function checkEveryByteAccountedFor(dataSet: DataSet): void {
  let total = 0
  let start = Number.POSITIVE_INFINITY
  for (const [tag, element] of Object.entries(dataSet.elements)) {
    if (tag.startsWith('x0002')) continue
    const header = element.vr === undefined || !LONG_VRS.has(element.vr) ? 8 : 12
    // An undefined-length sequence's length leaves out its 8-byte delimiter; encapsulated pixel data's includes it.
    total += header + element.length + (element.hadUndefinedLength && !element.encapsulatedPixelData ? 8 : 0)
    start = Math.min(start, element.dataOffset - header)
  }
  if (Number.isFinite(start) && total !== dataSet.byteArray.length - start) {
    throw new DicomReadError('File structure is damaged: an attribute appears twice in the data set, or bytes between attributes belong to none')
  }
}

function firstDataSetOffset(dataSet: DataSet): number {
  let first = Number.POSITIVE_INFINITY
  for (const [tag, element] of Object.entries(dataSet.elements)) if (!tag.startsWith('x0002')) first = Math.min(first, element.dataOffset)
  return first
}

function checkVr(tag: string, element: Element, topLevel: boolean): void {
  const vr = element.vr!
  if (!VALUE_REPRESENTATIONS.has(vr)) throw new DicomReadError(`Attribute ${formatTag(tag)} has an invalid value representation (${printable(vr)})`)
  if (UNREADABLE_VRS.has(vr)) throw new DicomReadError(`Attribute ${formatTag(tag)} has value representation ${vr} (64-bit), which this viewer cannot read yet`)
  const size = VALUE_SIZE[vr]
  if (size !== undefined && !element.hadUndefinedLength && element.length % size !== 0) {
    throw new DicomReadError(`Attribute ${formatTag(tag)} is corrupt: ${element.length} bytes is not a whole number of ${vr} values (${size} bytes each)`)
  }
  const expected = topLevel && Object.hasOwn(EXPECTED_VRS, tag) ? EXPECTED_VRS[tag] : undefined
  if (expected !== undefined && vr !== expected && vr !== 'UN') {
    throw new DicomReadError(`Attribute ${formatTag(tag)} has value representation ${vr}; it must be ${expected}`)
  }
}

function printable(vr: string): string {
  // dicom-parser stops reading a VR at a NUL byte, so '' stands for NUL bytes.
  if (vr === '') return 'NUL bytes'
  return /^[\x20-\x7e]*$/.test(vr) ? `'${vr}'` : `bytes ${[...vr].map((c) => c.charCodeAt(0).toString(16).padStart(2, '0')).join(' ')}`
}
