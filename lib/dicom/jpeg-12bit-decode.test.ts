// 12-bit lossy JPEG (extended 4.51, spectral selection 4.53, full progression 4.55) is
// decoded by Cornerstone's bundled jpeg.js, which we patch (patches/, applied by
// patch-package on install): upstream it shifted every 12-bit sample by 15 stored values
// (~30 HU here: the 8-bit level shift scaled by 4095/255 instead of 2^11) and refined
// negative progressive AC coefficients in the wrong direction (up to 315 HU off in 4.55).
// The three files hold the same lossy image, so they must decode identically and close to
// the lossless original, in modality units; a JPEG decoder may differ from another by ±1.
import { describe, it, before } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import dicomParser from 'dicom-parser'
import { missingSharedData, sharedDataPath } from '../../tests/support/shared-data'

const dir = 'transfer-syntaxes'
const lossless = 'CTImage.dcm_LittleEndianExplicitTransferSyntax_1.2.840.10008.1.2.1.dcm'
const lossy12Bit = [
  'CTImage.dcm_JPEGProcess2_4TransferSyntax_1.2.840.10008.1.2.4.51.dcm',
  'CTImage.dcm_JPEGProcess6_8TransferSyntax_1.2.840.10008.1.2.4.53.dcm',
  'CTImage.dcm_JPEGProcess10_12TransferSyntax_1.2.840.10008.1.2.4.55.dcm',
]

interface JpegImageInstance {
  parse(data: Uint8Array): void
  colorTransform: boolean
  getData16(width: number, height: number): Uint16Array
}

function readDataSet(file: string) {
  const bytes = new Uint8Array(readFileSync(sharedDataPath(dir, file)))
  const dataSet = dicomParser.parseDicom(bytes)
  const slope = Number(dataSet.string('x00281053') ?? 1)
  const intercept = Number(dataSet.string('x00281052') ?? 0)
  return { bytes, dataSet, slope, intercept, rows: dataSet.uint16('x00280010')!, columns: dataSet.uint16('x00280011')! }
}

function losslessModalityValues(): Float64Array {
  const { bytes, dataSet, slope, intercept } = readDataSet(lossless)
  const element = dataSet.elements.x7fe00010!
  const stored = new Int16Array(bytes.slice(element.dataOffset, element.dataOffset + element.length).buffer)
  return Float64Array.from(stored, (value) => value * slope + intercept)
}

describe('12-bit lossy JPEG decoding (patched Cornerstone jpeg.js)', { skip: missingSharedData(dir) ?? false }, () => {
  let JpegImage: new () => JpegImageInstance
  const decoded = new Map<string, { stored: Uint16Array; modality: Float64Array }>()

  before(async () => {
    // The codec is plain JavaScript without types; the viewer's decode worker loads this same file.
    // The package's exports map hides it, so it is loaded by path.
    const codecUrl = new URL('../../node_modules/@cornerstonejs/dicom-image-loader/dist/esm/codecs/jpeg.js', import.meta.url)
    JpegImage = ((await import(codecUrl.href)) as { default: new () => JpegImageInstance }).default
    for (const file of lossy12Bit) {
      const { dataSet, slope, intercept, rows, columns } = readDataSet(file)
      const jpeg = new JpegImage()
      jpeg.parse(dicomParser.readEncapsulatedImageFrame(dataSet, dataSet.elements.x7fe00010!, 0))
      jpeg.colorTransform = false
      const stored = jpeg.getData16(columns, rows)
      decoded.set(file, { stored, modality: Float64Array.from(stored, (value) => value * slope + intercept) })
    }
  })

  it('decodes the extended, spectral-selection and full-progression files to the same image', () => {
    const [extended, ...progressive] = lossy12Bit.map((file) => decoded.get(file)!.stored)
    for (const [index, image] of progressive.entries()) {
      assert.deepEqual(image, extended, `${lossy12Bit[index + 1]} differs from ${lossy12Bit[0]}`)
    }
  })

  it('stays within JPEG quality of the lossless original, with no bias (HU)', () => {
    const original = losslessModalityValues()
    for (const file of lossy12Bit) {
      const { modality } = decoded.get(file)!
      assert.equal(modality.length, original.length)
      let sumError = 0
      let sumAbsolute = 0
      let maxAbsolute = 0
      for (let i = 0; i < original.length; i++) {
        const error = modality[i]! - original[i]!
        sumError += error
        sumAbsolute += Math.abs(error)
        maxAbsolute = Math.max(maxAbsolute, Math.abs(error))
      }
      // Measured: bias −0.0 HU, mean |error| 3.8 HU, max 36 HU (dcmtk's dcmdjpeg: the same
      // within ±1 stored value). Unpatched: bias +29 HU (4.51) and max 315 HU (4.55).
      assert.ok(Math.abs(sumError / original.length) < 1, `${file}: bias ${(sumError / original.length).toFixed(2)} HU`)
      assert.ok(sumAbsolute / original.length < 5, `${file}: mean |error| ${(sumAbsolute / original.length).toFixed(2)} HU`)
      assert.ok(maxAbsolute < 45, `${file}: max |error| ${maxAbsolute.toFixed(0)} HU`)
    }
  })
})
