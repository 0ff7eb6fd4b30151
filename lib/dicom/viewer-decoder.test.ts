// The viewer's decoder in Node (what `npm run infer` feeds models): every lossless
// transfer syntax of the shared CT image (those whose decoded pixels have the explicit
// little endian file's reference hash in pixel-sha256.json) gives, value for value, the
// modality values read straight from the uncompressed file; a lossy one stays close.
import { describe, it, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { missingSharedData, sharedDataPath } from '../../tests/support/shared-data'
import { readNativeFrame } from './native-frame'
import { parseInstance } from './parse-instance'
import { createViewerDecoder, type ViewerDecoder } from './viewer-decoder.server'

const dir = 'transfer-syntaxes'
const explicit = 'CTImage.dcm_LittleEndianExplicitTransferSyntax_1.2.840.10008.1.2.1.dcm'

function read(name: string) {
  const bytes = new Uint8Array(readFileSync(sharedDataPath(dir, name)))
  const parsed = parseInstance(bytes, name, 0)
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.rejection.reason)
  return { bytes, instance: parsed.instance }
}

describe('createViewerDecoder', { skip: missingSharedData(dir) ?? false }, () => {
  let decoder: ViewerDecoder
  before(() => (decoder = createViewerDecoder()))
  after(() => decoder.close())

  it('decodes every lossless transfer syntax to the uncompressed modality values', async () => {
    const hashes = JSON.parse(readFileSync(sharedDataPath(dir, 'pixel-sha256.json'), 'utf8')) as Record<string, string[]>
    const reference = hashes[explicit]![0]!
    const lossless = Object.keys(hashes).filter((name) => name.startsWith('CTImage.dcm_') && hashes[name]!.includes(reference))
    assert.ok(lossless.length >= 8, `only ${lossless.length} lossless files`)
    const original = read(explicit)
    const expected = readNativeFrame(original.bytes, original.instance)
    for (const name of lossless) {
      const { bytes, instance } = read(name)
      assert.deepEqual(await decoder.modalityPixels(bytes, instance), expected, name)
    }
  })

  it('decodes lossy JPEG close to the original', async () => {
    const original = read(explicit)
    const expected = readNativeFrame(original.bytes, original.instance)
    const { bytes, instance } = read('CTImage.dcm_JPEGProcess1TransferSyntax_1.2.840.10008.1.2.4.50.dcm')
    const values = await decoder.modalityPixels(bytes, instance)
    let error = 0
    for (let p = 0; p < expected.length; p++) error += Math.abs(values[p]! - expected[p]!)
    assert.ok(error / expected.length < 50, `mean |error| ${(error / expected.length).toFixed(1)} HU`)
  })

  it('refuses a colour image, naming the file', async () => {
    const { bytes, instance } = read('TestPattern_RGB.dcm')
    await assert.rejects(decoder.modalityPixels(bytes, instance), /TestPattern_RGB\.dcm: a colour image/)
  })
})
