import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync, readdirSync } from 'node:fs'
import { missingSharedData, sharedDataPath } from '../../tests/support/shared-data'
import { CT_IMAGE_STORAGE, concatBytes, element, part10, syntheticCtImage, text, us } from '../../tests/support/dicom-bytes'
import { parseInstance, type ParseResult } from './parse-instance'
import type { DicomInstance } from './types'

const transferSyntaxes = 'transfer-syntaxes'
const skipTransferSyntaxes = missingSharedData(transferSyntaxes)
const skipSeg = missingSharedData('pet-headneck', 'SEG')

function parseShared(...segments: string[]): ParseResult {
  const file = sharedDataPath(...segments)
  return parseInstance(new Uint8Array(readFileSync(file)), segments.join('/'), 0)
}

function accepted(result: ParseResult): DicomInstance {
  assert.ok(result.ok, result.ok ? '' : `rejected: ${result.rejection.reason}`)
  return result.instance
}

function rejectionOf(result: ParseResult): string {
  assert.ok(!result.ok, 'expected a rejection')
  return result.rejection.reason
}

const BASIC_TEXT_SR = '1.2.840.10008.5.1.4.1.1.88.11'
const SECONDARY_CAPTURE = '1.2.840.10008.5.1.4.1.1.7'

/** Required identifiers of a minimal object, encoded; tags ascending. */
function identifiers(sopClassUid: string) {
  return {
    head: concatBytes([text(0x00080016, 'UI', sopClassUid), text(0x00080018, 'UI', '1.2.3.4.5')]),
    uids: concatBytes([text(0x0020000d, 'UI', '1.2.3.4.6'), text(0x0020000e, 'UI', '1.2.3.4.7')]),
  }
}

describe('parseInstance on the transfer syntax corpus', () => {
  it('accepts every file, in all 16 transfer syntaxes and the colour test patterns', { skip: skipTransferSyntaxes ?? false }, () => {
    const files = readdirSync(sharedDataPath(transferSyntaxes)).filter((name) => name.endsWith('.dcm'))
    assert.ok(files.length >= 30, `expected the full corpus, found ${files.length} files`)
    for (const name of files) accepted(parseShared(transferSyntaxes, name))
  })

  it('reads the same metadata from the CT image whatever its encoding', { skip: skipTransferSyntaxes ?? false }, () => {
    const variants = readdirSync(sharedDataPath(transferSyntaxes)).filter((name) => name.startsWith('CTImage.dcm'))
    assert.equal(variants.length, 16)
    const reference = accepted(parseShared(transferSyntaxes, 'CTImage.dcm'))
    assert.equal(reference.patientName, 'MISTER^CT')
    assert.equal(reference.modality, 'CT')
    assert.deepEqual([reference.rows, reference.columns, reference.bitsAllocated, reference.numberOfFrames], [512, 512, 16, 1])
    assert.deepEqual(reference.imagePositionPatient, [-161.399994, -148.800003, 4.7])
    assert.deepEqual(reference.imageOrientationPatient, [1, 0, 0, 0, 1, 0])
    // Lossy JPEG re-encodings legitimately change the SOP Instance UID and the pixel value
    // mapping (8/12-bit with a new rescale); identity and geometry must not change.
    const stable = (instance: DicomInstance) => {
      const { patientName, patientId, studyInstanceUid, seriesInstanceUid, modality, instanceNumber } = instance
      const { rows, columns, imagePositionPatient, imageOrientationPatient, pixelSpacing, sliceThickness } = instance
      return {
        patientName,
        patientId,
        studyInstanceUid,
        seriesInstanceUid,
        modality,
        instanceNumber,
        rows,
        columns,
        imagePositionPatient,
        imageOrientationPatient,
        pixelSpacing,
        sliceThickness,
      }
    }
    const syntaxes = new Set<string>()
    for (const name of variants) {
      const instance = accepted(parseShared(transferSyntaxes, name))
      syntaxes.add(instance.transferSyntaxUid)
      assert.deepEqual(stable(instance), stable(reference), name)
      assert.ok(name === 'CTImage.dcm' || name.endsWith(`_${instance.transferSyntaxUid}.dcm`), `${name} reports ${instance.transferSyntaxUid}`)
    }
    assert.equal(syntaxes.size, 15, 'CTImage.dcm and its implicit VR copy share a syntax')
  })

  it('accepts no-pixel-data.dcm, a Basic Text SR, as a non-image object', { skip: skipTransferSyntaxes ?? false }, () => {
    const instance = accepted(parseShared(transferSyntaxes, 'no-pixel-data.dcm'))
    assert.equal(instance.sopClassUid, BASIC_TEXT_SR)
    assert.equal(instance.hasPixelData, false)
    assert.deepEqual([instance.rows, instance.columns, instance.numberOfFrames], [0, 0, 0])
  })

  it('accepts an image without Pixel Spacing, leaving pixelSpacing null', { skip: skipTransferSyntaxes ?? false }, () => {
    const instance = accepted(parseShared(transferSyntaxes, 'no-pixel-spacing.dcm'))
    assert.equal(instance.pixelSpacing, null)
    assert.equal(instance.hasPixelData, true)
  })

  it('inflates the deflated file even when its preamble is not zeros', { skip: skipTransferSyntaxes ?? false }, () => {
    const name = 'CTImage.dcm_DeflatedExplicitVRLittleEndianTransferSyntax_1.2.840.10008.1.2.1.99.dcm'
    const bytes = new Uint8Array(readFileSync(sharedDataPath(transferSyntaxes, name)))
    // dicom-parser re-reads the inflated array from byte 0; a preamble of garbage must not matter.
    for (let i = 0; i < 128; i++) bytes[i] = (i * 37 + 11) & 0xff
    const instance = accepted(parseInstance(bytes, name, 3))
    assert.equal(instance.fileIndex, 3)
    assert.deepEqual(instance.imagePositionPatient, [-161.399994, -148.800003, 4.7])
    assert.equal(instance.rows, 512)
  })

  it('refuses to inflate a deflated data set past the configured limit', { skip: skipTransferSyntaxes ?? false }, () => {
    const name = 'CTImage.dcm_DeflatedExplicitVRLittleEndianTransferSyntax_1.2.840.10008.1.2.1.99.dcm'
    const bytes = new Uint8Array(readFileSync(sharedDataPath(transferSyntaxes, name)))
    const reason = rejectionOf(parseInstance(bytes, name, 0, { maxInflatedBytes: 2 ** 18 }))
    assert.equal(reason, 'Deflated data set expands beyond the 0.25 MiB limit (possible deflate bomb)')
  })

  it('reads a multi-frame SEG, geometry from its functional groups', { skip: skipSeg ?? false }, () => {
    const instance = accepted(parseShared('pet-headneck', 'SEG', 'tumor_User1_Manual_Trial1.dcm'))
    assert.equal(instance.modality, 'SEG')
    assert.equal(instance.numberOfFrames, 13)
    assert.equal(instance.bitsAllocated, 1)
    assert.deepEqual(instance.imageOrientationPatient, [1, 0, 0, 0, 1, 0])
    assert.ok(instance.imagePositionPatient, 'first frame position from the per-frame groups')
    assert.ok(instance.pixelSpacing, 'pixel spacing from the pixel measures macro')
  })
})

describe('parseInstance decisions', () => {
  it('rejects files that do not start like DICOM', () => {
    assert.equal(rejectionOf(parseInstance(new TextEncoder().encode('just some text, long enough '.repeat(10)), 'a.txt', 0)), 'Not a DICOM file (no DICM marker)')
    assert.equal(rejectionOf(parseInstance(new Uint8Array(20), 'tiny', 0)), 'Not a DICOM file (only 20 bytes)')
  })

  it('opens a data set without the preamble, or without any file header, with a warning and the same metadata', () => {
    const file = syntheticCtImage({ sopInstanceUid: '1.2.3.4.50' })
    const reference = accepted(parseInstance(file, 'x', 0))
    assert.deepEqual(reference.warnings, [])
    const metaEnd = 144 + new DataView(file.buffer).getUint32(140, true)
    const withoutPreamble = accepted(parseInstance(file.subarray(132), 'x', 0))
    assert.deepEqual(
      withoutPreamble.warnings.map((warning) => warning.kind),
      ['no-preamble'],
    )
    const bare = accepted(parseInstance(file.subarray(metaEnd), 'x', 0))
    assert.deepEqual(
      bare.warnings.map((warning) => warning.kind),
      ['no-file-meta'],
    )
    assert.match(bare.warnings[0]!.message, /Explicit VR Little Endian/)
    for (const instance of [withoutPreamble, bare]) assert.deepEqual({ ...instance, warnings: [] }, reference)
  })

  it('opens an image without Study Instance UID under a generated study, the same for every file of that study', () => {
    const first = accepted(parseInstance(syntheticCtImage({ sopInstanceUid: '1.2.3.4.61', studyInstanceUid: null }), 'a', 0))
    const second = accepted(parseInstance(syntheticCtImage({ sopInstanceUid: '1.2.3.4.62', studyInstanceUid: null, instanceNumber: 2 }), 'b', 1))
    const otherPatient = accepted(parseInstance(syntheticCtImage({ sopInstanceUid: '1.2.3.4.63', studyInstanceUid: null, patientName: 'Other^Patient' }), 'c', 2))
    assert.match(first.studyInstanceUid, /^2\.25\.\d+$/)
    assert.ok(first.studyInstanceUid.length <= 64)
    assert.equal(second.studyInstanceUid, first.studyInstanceUid)
    assert.notEqual(otherPatient.studyInstanceUid, first.studyInstanceUid)
    assert.deepEqual(
      first.warnings.map((warning) => warning.kind),
      ['generated-study-uid'],
    )
    assert.match(first.warnings[0]!.message, /^No Study Instance UID \(0020,000D\): grouped under a generated study/)
  })

  it('rejects a missing SOP Instance or Series UID, or a malformed Study UID, by name', () => {
    const sop = '1.2.3.4.5'
    const meta = { sopClassUid: SECONDARY_CAPTURE, sopInstanceUid: sop }
    const classAndInstance = concatBytes([text(0x00080016, 'UI', SECONDARY_CAPTURE), text(0x00080018, 'UI', sop)])
    const study = text(0x0020000d, 'UI', '1.2.3.4.6')
    const series = text(0x0020000e, 'UI', '1.2.3.4.7')
    assert.equal(rejectionOf(parseInstance(part10(concatBytes([classAndInstance, study]), meta), 'x', 0)), 'Missing Series Instance UID (0020,000E)')
    const noSop = part10(concatBytes([text(0x00080016, 'UI', SECONDARY_CAPTURE), study, series]), { ...meta, sopInstanceUid: '' })
    assert.equal(rejectionOf(parseInstance(noSop, 'x', 0)), 'Missing SOP Instance UID (0008,0018)')
    const badStudy = part10(concatBytes([classAndInstance, text(0x0020000d, 'UI', 'not-a-uid'), series]), meta)
    assert.equal(rejectionOf(parseInstance(badStudy, 'x', 0)), 'Invalid Study Instance UID (0020,000D)')
  })

  it('rejects an image object without pixel data ("no pixel data"), but takes an SR without it', () => {
    const image = identifiers(CT_IMAGE_STORAGE)
    const ct = part10(concatBytes([image.head, image.uids, us(0x00280010, 4), us(0x00280011, 4)]), { sopClassUid: CT_IMAGE_STORAGE, sopInstanceUid: '1.2.3.4.5' })
    assert.match(rejectionOf(parseInstance(ct, 'ct', 0)), /^No pixel data/)

    const report = identifiers(BASIC_TEXT_SR)
    const sr = part10(concatBytes([report.head, text(0x00100010, 'PN', 'Doe^Jane'), report.uids]), { sopClassUid: BASIC_TEXT_SR, sopInstanceUid: '1.2.3.4.5' })
    const instance = accepted(parseInstance(sr, 'sr', 0))
    assert.equal(instance.hasPixelData, false)
    assert.equal(instance.numberOfFrames, 0)
    assert.equal(instance.patientName, 'Doe^Jane')
  })

  it('allows one byte of padding after odd-length pixel data, and nothing else', () => {
    const image = identifiers(SECONDARY_CAPTURE)
    const build = (pixelBytes: number) =>
      part10(
        concatBytes([image.head, image.uids, us(0x00280002, 1), us(0x00280010, 3), us(0x00280011, 3), us(0x00280100, 8), element(0x7fe00010, 'OB', new Uint8Array(pixelBytes))]),
        { sopClassUid: SECONDARY_CAPTURE, sopInstanceUid: '1.2.3.4.5' },
      )
    assert.equal(accepted(parseInstance(build(10), 'padded', 0)).rows, 3)
    assert.equal(rejectionOf(parseInstance(build(12), 'long', 0)), 'Pixel data is 12 bytes, expected 9 (3×3, 1 frame, 1 sample/pixel, 8 bits allocated)')
    assert.equal(rejectionOf(parseInstance(build(8), 'short', 0)), 'Pixel data is 8 bytes, expected 9 (3×3, 1 frame, 1 sample/pixel, 8 bits allocated)')
  })

  it("reads a parametric map's Float Pixel Data (7FE0,0008) as pixel data", () => {
    const parametricMap = '1.2.840.10008.5.1.4.1.1.30'
    const map = identifiers(parametricMap)
    const build = (floatBytes: number) =>
      part10(
        concatBytes([map.head, map.uids, us(0x00280002, 1), us(0x00280010, 2), us(0x00280011, 2), us(0x00280100, 32), element(0x7fe00008, 'OF', new Uint8Array(floatBytes))]),
        { sopClassUid: parametricMap, sopInstanceUid: '1.2.3.4.5' },
      )
    const instance = accepted(parseInstance(build(16), 'map', 0))
    assert.deepEqual([instance.hasPixelData, instance.bitsAllocated, instance.numberOfFrames], [true, 32, 1])
    assert.match(rejectionOf(parseInstance(build(12), 'map', 0)), /^Pixel data is 12 bytes, expected 16/)
  })

  it('decodes names with the Specific Character Set', () => {
    const report = identifiers(BASIC_TEXT_SR)
    const withName = (name: Uint8Array, charset?: string) =>
      part10(
        concatBytes([
          charset ? text(0x00080005, 'CS', charset) : new Uint8Array(0),
          report.head,
          element(0x00100010, 'PN', name.length % 2 ? concatBytes([name, new Uint8Array([0x20])]) : name),
          report.uids,
        ]),
        { sopClassUid: BASIC_TEXT_SR, sopInstanceUid: '1.2.3.4.5' },
      )
    const name = (bytes: Uint8Array, charset?: string) => accepted(parseInstance(withName(bytes, charset), 'x', 0)).patientName
    const utf8 = new TextEncoder().encode('Ølsen^Åse=山田^太郎')
    assert.equal(name(utf8, 'ISO_IR 192'), 'Ølsen^Åse=山田^太郎')
    assert.notEqual(name(utf8), 'Ølsen^Åse=山田^太郎', 'without a declared set the bytes are not UTF-8')
    const latin1 = Uint8Array.from([0x4d, 0xfc, 0x6c, 0x6c, 0x65, 0x72]) // 'Müller' in ISO 8859-1
    assert.equal(name(latin1, 'ISO_IR 100'), 'Müller')
    assert.equal(name(latin1), 'Müller', 'the default repertoire is read as Latin-1, the common practice')
    const greek = Uint8Array.from([0xc4, 0xe9, 0xef, 0xed]) // 'Διον' in ISO 8859-7
    assert.equal(name(greek, 'ISO_IR 126'), 'Διον')
  })

  it('rejects image transfer syntaxes the viewer cannot decode, and pixel data that contradicts the syntax', () => {
    const image = identifiers(CT_IMAGE_STORAGE)
    const native = (transferSyntaxUid: string) =>
      part10(concatBytes([image.head, image.uids, us(0x00280010, 2), us(0x00280011, 2), us(0x00280100, 16), element(0x7fe00010, 'OW', new Uint8Array(8))]), {
        sopClassUid: CT_IMAGE_STORAGE,
        sopInstanceUid: '1.2.3.4.5',
        transferSyntaxUid,
      })
    assert.equal(accepted(parseInstance(native('1.2.840.10008.1.2.1'), 'x', 0)).rows, 2)
    assert.equal(rejectionOf(parseInstance(native('1.2.840.10008.1.2.4.100'), 'x', 0)), 'Unsupported transfer syntax 1.2.840.10008.1.2.4.100')
    assert.equal(
      rejectionOf(parseInstance(native('1.2.840.10008.1.2.4.50'), 'x', 0)),
      'Pixel data is not compressed (encapsulated), but the transfer syntax (JPEG Baseline) says it is',
    )
  })

  it('rejects implausibly long attribute values instead of decoding them', () => {
    const huge = syntheticCtImage({ sopInstanceUid: '1.2.3.4', patientName: 'A'.repeat(10_000) })
    assert.equal(rejectionOf(parseInstance(huge, 'x', 0)), 'Attribute (0010,0010) is 10000 bytes long; a valid one is far shorter')
  })

  it('never throws on random bytes behind a DICM marker', () => {
    let seed = 12345
    const random = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff
      return seed / 0x7fffffff
    }
    const valid = syntheticCtImage({ sopInstanceUid: '1.2.3.9' })
    for (let round = 0; round < 300; round++) {
      const bytes = Uint8Array.from(valid)
      // Scribble over 1–8 random spans after the preamble.
      for (let span = 0; span < 1 + Math.floor(random() * 8); span++) {
        const start = 132 + Math.floor(random() * (bytes.length - 132))
        for (let i = start; i < Math.min(bytes.length, start + 1 + Math.floor(random() * 16)); i++) bytes[i] = Math.floor(random() * 256)
      }
      const result = parseInstance(bytes, `fuzz-${round}`, round)
      if (!result.ok) assert.ok(result.rejection.reason.length > 0)
    }
  })
})
