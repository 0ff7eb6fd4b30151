// What ingestion checks so that the viewer's own reader (dcmjs) and codecs see the file it
// validated, and the rewrites the decoder gets, on small synthetic inputs. The same rules
// on mutated real files: tests/fuzz/fuzz.test.ts.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { Element } from 'dicom-parser'
import { deflateSync } from 'fflate'
import { concatBytes, element, syntheticCtImage, text } from '../../tests/support/dicom-bytes'
import { checkCodestreams } from './codestream'
import { DicomDecodeError, decodedImageProblem, toDecodeError } from './decoded-image'
import { uidFromText } from './generated-uid'
import { withMetaGroupLength } from './normalise-for-decoder'
import { parseInstance } from './parse-instance'
import { missingHeader } from './part10'
import { checkColourModel } from './pixel-data'

const reasonOf = (bytes: Uint8Array) => {
  const result = parseInstance(bytes, 'x', 0)
  return result.ok ? 'accepted' : result.rejection.reason
}
const withExtra = (extra: Uint8Array) => syntheticCtImage({ sopInstanceUid: '1.2.3.4.9', extra })

describe('attributes the viewer would read otherwise', () => {
  it('accepts the synthetic image as it is', () => {
    assert.equal(reasonOf(withExtra(new Uint8Array(0))), 'accepted')
  })

  it('rejects 64-bit VRs, which dicom-parser reads with a 2-byte length and dcmjs with a 4-byte one', () => {
    assert.match(reasonOf(withExtra(element(0x00291010, 'SV', new Uint8Array(8)))), /\(0029,1010\) has value representation SV \(64-bit\)/)
  })

  it('rejects binary numbers whose length is not a whole number of values', () => {
    assert.match(reasonOf(withExtra(element(0x00291010, 'US', new Uint8Array(3)))), /3 bytes is not a whole number of US values/)
  })

  it('rejects an attribute the viewer interprets, in another VR than the dictionary gives it', () => {
    assert.match(reasonOf(withExtra(element(0x00281050, 'US', new Uint8Array(2)))), /\(0028,1050\) has value representation US; it must be DS/)
  })

  it('rejects an attribute that appears twice (dicom-parser keeps one, dcmjs reads both)', () => {
    const twice = concatBytes([text(0x00281050, 'DS', '40'), text(0x00281050, 'DS', '40')])
    assert.match(reasonOf(withExtra(twice)), /appears twice/)
  })

  it('rejects a delimiter standing where an attribute should', () => {
    const delimiter = new Uint8Array([0xfe, 0xff, 0xdd, 0xe0, 0, 0, 0, 0])
    assert.notEqual(reasonOf(withExtra(delimiter)), 'accepted')
  })
})

describe('checkColourModel', () => {
  it('takes the photometric interpretations the decoder converts, with their samples per pixel', () => {
    for (const [photometric, samples] of [
      ['MONOCHROME2', 1],
      ['RGB', 3],
      ['YBR_FULL_422', 3],
      ['', 1],
    ] as const) {
      assert.doesNotThrow(() => checkColourModel(photometric, samples, false), photometric)
    }
    assert.doesNotThrow(() => checkColourModel('PALETTE COLOR', 1, true))
  })

  it('refuses unknown ones, the wrong number of samples, and palettes without their tables', () => {
    assert.throws(() => checkColourModel('YBR_PARTIAL_422', 3, false), /Unsupported Photometric Interpretation \(YBR_PARTIAL_422\)/)
    assert.throws(() => checkColourModel('RGB', 1, false), /needs 3 samples per pixel, not 1/)
    assert.throws(() => checkColourModel('', 3, false), /Unsupported Photometric Interpretation \(none\)/)
    assert.throws(() => checkColourModel('PALETTE COLOR', 1, false), /without its red, green and blue palettes/)
  })
})

describe('checkCodestreams', () => {
  const layout = { rows: 4, columns: 6, numberOfFrames: 1, samplesPerPixel: 1, bitsAllocated: 16 }
  const pixelDataOf = (stream: Uint8Array): { bytes: Uint8Array; element: Element } => ({
    bytes: stream,
    element: {
      tag: 'x7fe00010',
      length: stream.length,
      dataOffset: 0,
      encapsulatedPixelData: true,
      basicOffsetTable: [],
      fragments: [{ offset: 0, position: 0, length: stream.length }],
    },
  })
  // SOI, a frame header (FFxx, length 11, precision, rows, columns, one component), EOI.
  const jpeg = (marker: number, rows: number, columns: number, precision = 16) =>
    new Uint8Array([0xff, 0xd8, 0xff, marker, 0, 11, precision, rows >> 8, rows & 0xff, columns >> 8, columns & 0xff, 1, 1, 0x11, 0, 0xff, 0xd9])
  // SOC, SIZ, EOC.
  const j2k = (width: number, height: number) => {
    const siz = new Uint8Array(47)
    siz.set([0xff, 0xd9], 45)
    const view = new DataView(siz.buffer)
    view.setUint16(0, 0xff4f)
    view.setUint16(2, 0xff51)
    view.setUint32(8, width)
    view.setUint32(12, height)
    view.setUint16(40, 1)
    siz[42] = 15 // 16 bits
    return siz
  }

  it('accepts codestreams whose header is the image', () => {
    for (const [syntax, stream] of [
      ['1.2.840.10008.1.2.4.57', jpeg(0xc3, 4, 6)],
      ['1.2.840.10008.1.2.4.80', jpeg(0xf7, 4, 6)],
      ['1.2.840.10008.1.2.4.90', j2k(6, 4)],
    ] as const) {
      const { bytes, element } = pixelDataOf(stream)
      assert.doesNotThrow(() => checkCodestreams(bytes, element, layout, syntax), syntax)
    }
  })

  it('refuses frames whose own header claims another size, more bits, or none at all', () => {
    const cases: [string, Uint8Array][] = [
      ['1.2.840.10008.1.2.4.57', jpeg(0xc3, 4, 60000)],
      ['1.2.840.10008.1.2.4.80', jpeg(0xf7, 4000, 6)],
      ['1.2.840.10008.1.2.4.50', jpeg(0xc0, 4, 6, 17)],
      ['1.2.840.10008.1.2.4.90', j2k(0xfffff000, 4)],
    ]
    for (const [syntax, stream] of cases) {
      const { bytes, element } = pixelDataOf(stream)
      assert.throws(() => checkCodestreams(bytes, element, layout, syntax), /does not match the header/, syntax)
    }
    const { bytes, element } = pixelDataOf(new Uint8Array(32))
    assert.throws(() => checkCodestreams(bytes, element, layout, '1.2.840.10008.1.2.4.50'), /no readable codestream header/)
  })

  it('refuses a codestream cut short: no end-of-image marker', () => {
    const whole = jpeg(0xf7, 4, 6)
    const padded = pixelDataOf(Uint8Array.of(...whole, 0))
    assert.doesNotThrow(() => checkCodestreams(padded.bytes, padded.element, layout, '1.2.840.10008.1.2.4.80'))
    const cut = pixelDataOf(whole.subarray(0, whole.length - 2))
    assert.throws(() => checkCodestreams(cut.bytes, cut.element, layout, '1.2.840.10008.1.2.4.80'), /truncated: the image does not end with an end-of-image marker/)
  })

  it('refuses RLE frames whose segments do not fit the header', () => {
    const rle = new Uint8Array(80)
    rle[0] = 1 // one segment, but 16-bit samples need two
    rle[4] = 64
    const { bytes, element } = pixelDataOf(rle)
    assert.throws(() => checkCodestreams(bytes, element, layout, '1.2.840.10008.1.2.5'), /1 segment\(s\), the header needs 2/)
  })

  it('refuses a deflated frame that inflates beyond its size (a deflate bomb), before the decoder sees it', () => {
    const bomb = deflateSync(new Uint8Array(1024 * 1024), { level: 9 })
    const { bytes, element } = pixelDataOf(bomb)
    assert.throws(() => checkCodestreams(bytes, element, layout, '1.2.840.10008.1.2.8.1'), /inflates beyond its 48 bytes/)
    const fits = pixelDataOf(deflateSync(new Uint8Array(48)))
    assert.doesNotThrow(() => checkCodestreams(fits.bytes, fits.element, layout, '1.2.840.10008.1.2.8.1'))
  })
})

describe('decoder input rewrites', () => {
  it('corrects a wrong file meta group length, adds a missing one, and leaves a right one', () => {
    const file = syntheticCtImage({ sopInstanceUid: '1.2.3.4.9' })
    const view = new DataView(file.buffer)
    const length = view.getUint32(140, true)
    assert.equal(withMetaGroupLength(file), null)
    const wrong = new Uint8Array(file)
    new DataView(wrong.buffer).setUint32(140, length + 40, true)
    assert.equal(new DataView(withMetaGroupLength(wrong)!.buffer).getUint32(140, true), length)
    const missing = concatBytes([file.subarray(0, 132), file.subarray(144)])
    const added = withMetaGroupLength(missing)!
    assert.deepEqual(added, file)
  })
})

describe('part10.missingHeader', () => {
  it('tells file meta without preamble, and bare data sets by byte order and VR', () => {
    const file = syntheticCtImage({ sopInstanceUid: '1.2.3.4.9' })
    assert.deepEqual(missingHeader(file.subarray(132)), { kind: 'no-preamble' })
    const metaEnd = 144 + new DataView(file.buffer).getUint32(140, true)
    assert.deepEqual(missingHeader(file.subarray(metaEnd)), { kind: 'no-file-meta', transferSyntaxUid: '1.2.840.10008.1.2.1' })
    assert.deepEqual(missingHeader(new Uint8Array([0x08, 0, 0x05, 0, 10, 0, 0, 0])), { kind: 'no-file-meta', transferSyntaxUid: '1.2.840.10008.1.2' })
    assert.deepEqual(missingHeader(new Uint8Array([0, 0x08, 0, 0x05, 0x43, 0x53, 0, 10])), { kind: 'no-file-meta', transferSyntaxUid: '1.2.840.10008.1.2.2' })
    assert.equal(missingHeader(new TextEncoder().encode('Findings: none. This is not DICOM.')), null)
  })
})

describe('decodedImageProblem', () => {
  const expected = { rows: 4, columns: 6 }
  it('passes an image of the header size with 1, 3 or 4 values per pixel', () => {
    assert.equal(decodedImageProblem(expected, { rows: 4, columns: 6, components: 1, length: 24 }), null)
    assert.equal(decodedImageProblem(expected, { rows: 4, columns: 6, components: 3, length: 72 }), null)
    assert.equal(decodedImageProblem(expected, { rows: 4, columns: 6, components: 3, rgba: true, length: 96 }), null)
    assert.equal(decodedImageProblem(expected, { rows: 4, columns: 6, components: undefined, length: 72 }), null)
  })

  it('names another size, too few values, or two values per pixel', () => {
    assert.match(decodedImageProblem(expected, { rows: 4, columns: 60, components: 1, length: 240 })!, /decodes to 60×4 pixels, but its header says 6×4/)
    assert.match(decodedImageProblem(expected, { rows: 4, columns: 6, components: 3, length: 48 })!, /48 values, not the 72/)
    assert.match(decodedImageProblem(expected, { rows: 4, columns: 6, components: undefined, length: 48 })!, /2 values per pixel/)
  })

  it('turns whatever a decoder throws into a DicomDecodeError naming the file', () => {
    for (const thrown of ['Invalid JPEG-LS stream', 86992, { error: new Error('no pixel data') }, new RangeError('Array buffer allocation failed')]) {
      const error = toDecodeError(thrown, 'a/b.dcm')
      assert.ok(error instanceof DicomDecodeError)
      assert.match(error.message, /^a\/b\.dcm could not be decoded: ./)
    }
  })
})

describe('uidFromText', () => {
  it('is repeatable, a valid UID, and differs with the text', () => {
    const uid = uidFromText('TEST-1\\Test^Patient\\20240102')
    assert.equal(uidFromText('TEST-1\\Test^Patient\\20240102'), uid)
    assert.match(uid, /^2\.25\.(0|[1-9]\d*)$/)
    assert.ok(uid.length <= 64)
    assert.notEqual(uidFromText('TEST-1\\Test^Patient\\20240103'), uid)
  })
})
