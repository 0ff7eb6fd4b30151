import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import dicomParser from 'dicom-parser'
import { missingSharedData, sharedDataPath } from '../../tests/support/shared-data'
import { normaliseForDecoder } from './normalise-for-decoder'
import { parseInstance } from './parse-instance'

const dir = 'transfer-syntaxes'
const skip = missingSharedData(dir) ?? false
const read = (name: string) => new Uint8Array(readFileSync(sharedDataPath(dir, name)))
const pixelBytes = (bytes: Uint8Array) => {
  const dataSet = dicomParser.parseDicom(bytes)
  const element = dataSet.elements.x7fe00010!
  return bytes.subarray(element.dataOffset, element.dataOffset + element.length)
}

const decoderInput = (transferSyntaxUid: string, numberOfFrames: number, photometricInterpretation = 'MONOCHROME2') => ({
  transferSyntaxUid,
  numberOfFrames,
  photometricInterpretation,
  bitsAllocated: 16,
  sopClassUid: '1.2.3',
  sopInstanceUid: '1.2.3.4',
})

describe('normaliseForDecoder', () => {
  it('relabels a deflated file as explicit little endian with the same data set', { skip }, () => {
    const deflated = read('CTImage.dcm_DeflatedExplicitVRLittleEndianTransferSyntax_1.2.840.10008.1.2.1.99.dcm')
    const plain = read('CTImage.dcm_LittleEndianExplicitTransferSyntax_1.2.840.10008.1.2.1.dcm')
    const rewritten = normaliseForDecoder(deflated, decoderInput('1.2.840.10008.1.2.1.99', 1), 64 * 1024 * 1024)
    assert.ok(rewritten)
    const parsed = dicomParser.parseDicom(rewritten)
    assert.equal(parsed.string('x00020010'), '1.2.840.10008.1.2.1')
    assert.deepEqual(pixelBytes(rewritten), pixelBytes(plain))
    // The rewritten file is itself a valid instance for our parser.
    const instance = parseInstance(rewritten, 'x.dcm', 0)
    assert.equal(instance.ok, true)
  })

  it('fills in the offset table of a fragmented multi-frame JPEG', { skip }, () => {
    const file = read('CT0012.fragmented_no_bot_jpeg_baseline.51.dcm')
    const rewritten = normaliseForDecoder(file, decoderInput('1.2.840.10008.1.2.4.51', 2), 64 * 1024 * 1024)
    assert.ok(rewritten)
    const element = dicomParser.parseDicom(rewritten).elements.x7fe00010!
    assert.equal(element.basicOffsetTable!.length, 2)
    assert.equal(element.basicOffsetTable![0], 0)
    assert.equal(element.fragments!.length, 11)
    // The second frame starts at the seventh fragment, which opens with a JPEG SOI marker.
    const second = element.fragments!.find((fragment) => fragment.offset === element.basicOffsetTable![1])!
    assert.deepEqual([rewritten[second.position], rewritten[second.position + 1]], [0xff, 0xd8])
    for (let frame = 0; frame < 2; frame += 1) {
      const bytes = dicomParser.readEncapsulatedImageFrame(dicomParser.parseDicom(rewritten), element, frame)
      assert.deepEqual([bytes[0], bytes[1]], [0xff, 0xd8], `frame ${frame} starts with SOI`)
    }
  })

  it('leaves ordinary files alone', { skip }, () => {
    assert.equal(normaliseForDecoder(read('CTImage.dcm_JPEGLSLosslessTransferSyntax_1.2.840.10008.1.2.4.80.dcm'), decoderInput('1.2.840.10008.1.2.4.80', 1), 1 << 20), null)
  })
})
