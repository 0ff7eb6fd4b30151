// pydicom's own test files (Debian python3-pydicom 2.3.1): real files in many encodings,
// and the truncated and malformed ones pydicom keeps for its parser. Every file must
// parse or be rejected with a reason, the rejections must be exactly the files listed
// below, and the good files must read with the right values.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { missingPydicomTestFiles, pydicomTestFilesDir } from '../../tests/support/pydicom-data'
import { readFolder, type FolderFile } from '../../tests/support/read-folder'
import { isDicomdir } from './dicomdir'
import { parseInstance, type ParseResult } from './parse-instance'
import type { DicomInstance } from './types'

const NOT_DICOM = /^Not a DICOM file \(no DICM marker\)$/
const TRUNCATED = /^File is truncated or corrupt/

/** Files expected to be rejected, and why. Everything else must parse. */
const EXPECTED_REJECTIONS: Record<string, RegExp> = {
  // Not DICOM at all: documentation, dumps, JSON, a gzip.
  'README.txt': NOT_DICOM,
  'dicomdirtests/README.txt': NOT_DICOM,
  'dicomdirtests/TINY_ALPHA/README': NOT_DICOM,
  'rtplan.dump': NOT_DICOM,
  'rtstruct.dump': NOT_DICOM,
  'test1.json': NOT_DICOM,
  'test_PN.json': NOT_DICOM,
  'zipMR.gz': NOT_DICOM,
  // A bare data set too, but after a stray leading byte: it does not start like DICOM.
  'no_meta.dcm': NOT_DICOM,
  // Truncated, or structurally corrupt.
  'MR_truncated.dcm': TRUNCATED,
  'rtplan_truncated.dcm': TRUNCATED,
  'nested_priv_SQ.dcm': TRUNCATED, // odd-length private items that run past their sequence
  'SC_rgb_jpeg.dcm': TRUNCATED, // Pixel Data written in implicit VR inside an explicit VR file
  'meta_missing_tsyntax.dcm': /^File header has no Transfer Syntax UID \(0002,0010\)$/,
  // Well-formed, but not what the header says.
  'MR_small_padded.dcm': /^Pixel data is 8320 bytes, expected 8192 \(64×64, 1 frame, 1 sample\/pixel, 16 bits allocated\)$/,
  'badVR.dcm': /^Invalid Number of Frames \(1A\)$/,
  // Its JPEG 2000 codestream's size (SIZ) holds the delimiter bytes FFFE,E0DD as the image
  // width, 3722445056 pixels: the decoder would size its output from that.
  'JPEG2000-embedded-sequence-delimiter.dcm': /^Compressed pixel data does not match the header: the image is 3722445056×1024/,
  // Fragments of data sets made to exercise single features: no instance identity (their
  // missing Study Instance UID would be generated; the Series Instance UID is not).
  'UN_sequence.dcm': /^Missing Series Instance UID/,
  'no_meta_group_length.dcm': /^Missing Series Instance UID/,
  'priv_SQ.dcm': /^Missing Series Instance UID/,
  'empty_charset_LEI.dcm': /^Missing SOP Instance UID/,
}

// The DICOMDIR test media's images were stripped of their pixels to keep pydicom small:
// CT Image Storage objects without Pixel Data, which we reject ("no pixel data").
const TINY_ALPHA_IMAGE = /^dicomdirtests\/TINY_ALPHA\/PT000000\//
const NO_PIXEL_DATA = /^No pixel data: an image object must carry Pixel Data \(7FE0,0010\)$/

const skip = missingPydicomTestFiles()

describe('pydicom test files', { skip: skip ?? false }, () => {
  const files: FolderFile[] = skip ? [] : readFolder(pydicomTestFilesDir)
  const results = new Map<string, ParseResult>()
  const dicomdirs: string[] = []
  for (const { name, bytes } of files) {
    // DICOMDIRs are index files, which ingestion skips; dicomdir.test.ts reads them.
    if (isDicomdir(bytes)) dicomdirs.push(name)
    else results.set(name, parseInstance(bytes, name, 0))
  }
  const accepted = (name: string): DicomInstance => {
    const result = results.get(name)
    assert.ok(result?.ok, `${name} should parse: ${result && !result.ok ? result.rejection.reason : 'missing'}`)
    return result.instance
  }

  it('parses every file or rejects it with a reason; the rejections are exactly the expected ones', () => {
    assert.ok(files.length >= 150, `expected pydicom's ~160 test files, found ${files.length}`)
    for (const [name, result] of results) {
      const expected = EXPECTED_REJECTIONS[name] ?? (TINY_ALPHA_IMAGE.test(name) ? NO_PIXEL_DATA : undefined)
      if (expected) {
        assert.ok(!result.ok, `${name} should be rejected`)
        assert.match(result.rejection.reason, expected, name)
      } else {
        assert.ok(result.ok, `${name} should parse: ${result.ok ? '' : result.rejection.reason}`)
      }
    }
    for (const name of Object.keys(EXPECTED_REJECTIONS)) assert.ok(results.has(name), `${name} is in the corpus`)
    assert.deepEqual(dicomdirs.sort(), [
      'dicomdirtests/DICOMDIR',
      'dicomdirtests/DICOMDIR-bigEnd',
      'dicomdirtests/DICOMDIR-empty.dcm',
      'dicomdirtests/DICOMDIR-implicit',
      'dicomdirtests/DICOMDIR-nooffset',
      'dicomdirtests/DICOMDIR-nopatient',
      'dicomdirtests/DICOMDIR-reordered',
      'dicomdirtests/TINY_ALPHA/DICOMDIR',
    ])
    const acceptedCount = [...results.values()].filter((result) => result.ok).length
    assert.ok(acceptedCount >= 80, `only ${acceptedCount} files parsed`)
  })

  it("reads CT_small.dcm's values", () => {
    const ct = accepted('CT_small.dcm')
    assert.equal(ct.modality, 'CT')
    assert.equal(ct.patientName, 'CompressedSamples^CT1')
    assert.deepEqual([ct.rows, ct.columns, ct.bitsAllocated, ct.pixelRepresentation], [128, 128, 16, 1])
    assert.deepEqual(ct.imagePositionPatient, [-158.135803, -179.035797, -75.699997])
    assert.deepEqual(ct.pixelSpacing, [0.661468, 0.661468])
    assert.equal(ct.transferSyntaxUid, '1.2.840.10008.1.2.1')
  })

  it('reads the same MR_small in seven encodings identically', () => {
    const reference = accepted('MR_small.dcm')
    assert.deepEqual(reference.imagePositionPatient, [-83.9063, -91.2, 6.6406])
    assert.equal(reference.patientName, 'CompressedSamples^MR1')
    const encodings = ['MR_small_implicit.dcm', 'MR_small_bigendian.dcm', 'MR_small_expb.dcm', 'MR_small_RLE.dcm', 'MR_small_jp2klossless.dcm', 'MR_small_jpeg_ls_lossless.dcm']
    for (const name of encodings) {
      const { source: _source, transferSyntaxUid: _syntax, ...rest } = accepted(name)
      const { source: _referenceSource, transferSyntaxUid: _referenceSyntax, ...expected } = reference
      assert.deepEqual(rest, expected, name)
    }
  })

  it('reads multi-frame, big endian, deflated, odd-length, colour and non-image objects', () => {
    const dose = accepted('rtdose.dcm')
    assert.deepEqual([dose.numberOfFrames, dose.bitsAllocated, dose.rows, dose.columns], [15, 32, 10, 10])
    assert.equal(accepted('rtdose_expb.dcm').numberOfFrames, 15)
    const rgb = accepted('ExplVR_BigEnd.dcm')
    assert.deepEqual([rgb.transferSyntaxUid, rgb.samplesPerPixel, rgb.photometricInterpretation], ['1.2.840.10008.1.2.2', 3, 'RGB'])
    const deflated = accepted('image_dfl.dcm')
    assert.deepEqual([deflated.transferSyntaxUid, deflated.rows, deflated.columns], ['1.2.840.10008.1.2.1.99', 512, 512])
    // 3×3 RGB is 27 bytes: one byte of padding makes 28, which is allowed.
    assert.equal(accepted('SC_rgb_small_odd.dcm').rows, 3)
    const seg = accepted('liver_1frame.dcm')
    assert.deepEqual([seg.modality, seg.bitsAllocated], ['SEG', 1])
    for (const name of ['rtplan.dcm', 'test-SR.dcm', 'reportsi.dcm', 'waveform_ecg.dcm']) {
      const object = accepted(name)
      assert.deepEqual([object.hasPixelData, object.numberOfFrames], [false, 0], name)
    }
  })

  it('opens bare data sets (no preamble, no file meta) in the syntax their first element shows, with a warning', () => {
    const expected: Record<string, string> = {
      'ExplVR_BigEndNoMeta.dcm': '1.2.840.10008.1.2.2',
      'ExplVR_LitEndNoMeta.dcm': '1.2.840.10008.1.2.1',
      'rtstruct.dcm': '1.2.840.10008.1.2',
    }
    for (const [name, syntax] of Object.entries(expected)) {
      const instance = accepted(name)
      assert.equal(instance.transferSyntaxUid, syntax, name)
      assert.deepEqual(
        instance.warnings.map((warning) => warning.kind),
        ['no-file-meta'],
        name,
      )
    }
    // Big and little endian encodings of one plan read alike.
    const { source: _a, transferSyntaxUid: _b, ...little } = accepted('ExplVR_LitEndNoMeta.dcm')
    const { source: _c, transferSyntaxUid: _d, ...big } = accepted('ExplVR_BigEndNoMeta.dcm')
    assert.deepEqual(big, { ...little, warnings: big.warnings })
    assert.equal(little.modality, 'RTPLAN')
  })
})
