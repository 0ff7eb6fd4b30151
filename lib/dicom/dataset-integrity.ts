// Structural checks on a data set dicom-parser has already walked. dicom-parser is
// lenient where we must not be: in implicit VR it lets the last element run past the end
// of the file, it records unterminated sequences as warnings rather than errors, and it
// keeps whatever two characters stood where an explicit VR should be. Each of those means a
// truncated or corrupt file, so each becomes a rejection here.
import type { DataSet } from 'dicom-parser'
import { DicomReadError } from './read-error'
import { formatTag } from './tags'

const VALUE_REPRESENTATIONS = new Set([
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
  const pending: DataSet[] = [dataSet]
  for (let current = pending.pop(); current; current = pending.pop()) {
    for (const [tag, element] of Object.entries(current.elements)) {
      if (tag.startsWith('xfffe')) continue // item and sequence delimiters carry no VR
      if (element.dataOffset + element.length > fileLength) {
        throw new DicomReadError(
          `File is truncated or corrupt: attribute ${formatTag(tag)} declares ${element.length} bytes, but only ${Math.max(0, fileLength - element.dataOffset)} remain`,
        )
      }
      // Implicit VR elements have no VR (undefined); explicit ones must have a real one.
      if (element.vr !== undefined && !VALUE_REPRESENTATIONS.has(element.vr)) {
        throw new DicomReadError(`Attribute ${formatTag(tag)} has an invalid value representation (${printable(element.vr)})`)
      }
      for (const item of element.items ?? []) if (item.dataSet) pending.push(item.dataSet)
    }
  }
}

function printable(vr: string): string {
  // dicom-parser stops reading a VR at a NUL byte, so '' stands for NUL bytes.
  if (vr === '') return 'NUL bytes'
  return /^[\x20-\x7e]*$/.test(vr) ? `'${vr}'` : `bytes ${[...vr].map((c) => c.charCodeAt(0).toString(16).padStart(2, '0')).join(' ')}`
}
