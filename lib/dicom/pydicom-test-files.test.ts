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
const NO_HEADER = /^DICOM data set without a file header \(no DICM marker\): not supported$/
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
  // Bare data sets without preamble and file meta: the viewer's loader needs Part 10.
  'ExplVR_BigEndNoMeta.dcm': NO_HEADER,
  'ExplVR_LitEndNoMeta.dcm': NO_HEADER,
  'no_meta.dcm': NOT_DICOM, // a bare data set too, but after a stray leading byte
  'rtstruct.dcm': NO_HEADER,
  // Truncated, or structurally corrupt.
  'MR_truncated.dcm': TRUNCATED,
  'rtplan_truncated.dcm': TRUNCATED,
  'nested_priv_SQ.dcm': TRUNCATED, // odd-length private items that run past their sequence
  'SC_rgb_jpeg.dcm': TRUNCATED, // Pixel Data written in implicit VR inside an explicit VR file
  'meta_missing_tsyntax.dcm': /^File header has no Transfer Syntax UID \(0002,0010\)$/,
  // Well-formed, but not what the header says.
  'MR_small_padded.dcm': /^Pixel data is 8320 bytes, expected 8192 \(64×64, 1 frame, 1 sample\/pixel, 16 bits allocated\)$/,
  'badVR.dcm': /^Invalid Number of Frames \(1A\)$/,
  // Fragments of data sets made to exercise single features: no instance identity.
  'UN_sequence.dcm': /^Missing Study Instance UID/,
  'no_meta_group_length.dcm': /^Missing Study Instance UID/,
  'priv_SQ.dcm': /^Missing Study Instance UID/,
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
})
