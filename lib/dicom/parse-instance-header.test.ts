import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync, readdirSync } from 'node:fs'
import { missingSharedData, sharedDataPath } from '../../tests/support/shared-data'
import { syntheticCtImage } from '../../tests/support/dicom-bytes'
import { ingestFiles } from './ingest'
import { mayNeedNormalising } from './normalise-for-decoder'
import { HEAD_BYTES, parseInstance, parseInstanceHeader } from './parse-instance'

// Header-first ingestion: what a file's head says must be what the whole file says, and
// whatever the head cannot settle is left to the whole file (null), never guessed.

const skipCorpus = missingSharedData('transfer-syntaxes')
const skipCt = missingSharedData('ct-chest-lidc0314')

function files(dir: string): { name: string; bytes: Uint8Array }[] {
  return readdirSync(sharedDataPath(dir))
    .filter((name) => name.endsWith('.dcm'))
    .sort()
    .map((name) => ({ name, bytes: new Uint8Array(readFileSync(sharedDataPath(dir, name))) }))
}

describe('parseInstanceHeader', () => {
  it('reads from a head exactly the instance the whole file gives, or leaves the file to the whole read', { skip: skipCorpus ?? false }, () => {
    let fromHead = 0
    for (const { name, bytes } of files('transfer-syntaxes')) {
      // A small head, so that the real files are longer than it.
      const header = parseInstanceHeader(bytes.subarray(0, 4096), bytes.length, name, 3)
      const whole = parseInstance(bytes, name, 3)
      if (header === null) continue
      fromHead += 1
      assert.ok(whole.ok, `${name}: the head was accepted, the whole file rejected`)
      assert.deepEqual(header, whole.instance, name)
    }
    assert.ok(fromHead >= 10, `only ${fromHead} files were read from their heads`)
  })

  it('reads every slice of the CT from its head', { skip: skipCt ?? false }, () => {
    const ct = files('ct-chest-lidc0314')
    for (const { name, bytes } of ct) {
      const head = bytes.subarray(0, HEAD_BYTES)
      const header = parseInstanceHeader(head, bytes.length, name, 0)
      assert.ok(header, name)
      assert.equal(mayNeedNormalising(head, header), false, name)
    }
  })

  it('leaves to the whole file: deflated data sets, heads that hold the whole file, and files without a DICM marker', { skip: skipCorpus ?? false }, () => {
    const deflated = files('transfer-syntaxes').find(({ name }) => name.includes('Deflated'))!
    assert.equal(parseInstanceHeader(deflated.bytes.subarray(0, 4096), deflated.bytes.length, deflated.name, 0), null)
    const slice = syntheticCtImage({ sopInstanceUid: '1.2.3.4', instanceNumber: 1, position: [0, 0, 0] })
    assert.equal(parseInstanceHeader(slice, slice.length, 'whole', 0), null)
    assert.equal(parseInstanceHeader(slice.subarray(128), slice.length - 128, 'no preamble', 0), null)
  })

  it('leaves native pixel data that runs past the end of the file to the whole file', () => {
    const slice = syntheticCtImage({ sopInstanceUid: '1.2.3.4', instanceNumber: 1, position: [0, 0, 0] })
    // The head ends within the pixel values (the synthetic slice is 8×2 pixels of 16 bits, after a 614-byte header).
    const head = slice.subarray(0, slice.length - 16)
    assert.ok(parseInstanceHeader(head, slice.length, 'slice', 0), 'the intact slice is read from its head')
    // Truncated: the head is the same, the file shorter.
    assert.equal(parseInstanceHeader(head, slice.length - 8, 'truncated', 0), null)
    assert.equal(parseInstance(slice.subarray(0, slice.length - 8), 'truncated', 0).ok, false)
  })

  it('accepts from its head a compressed slice whose fragment is cut off; the whole read refuses it', { skip: skipCt ?? false }, () => {
    const { bytes } = files('ct-chest-lidc0314')[0]!
    const truncated = bytes.subarray(0, bytes.length - 5000)
    assert.ok(parseInstanceHeader(truncated.subarray(0, HEAD_BYTES), truncated.length, 'truncated-pixels.dcm', 0))
    const whole = parseInstance(truncated, 'truncated-pixels.dcm', 0)
    assert.ok(!whole.ok)
    assert.match(whole.rejection.reason, /truncated/i)
  })
})

describe('ingestFiles with files refused once read whole', () => {
  const slices = [1, 2, 3].map((n) => syntheticCtImage({ sopInstanceUid: `1.2.3.10.${n}`, instanceNumber: n, position: [0, 0, n * 2] }))
  const fromHeads = (bytes: Uint8Array[]) =>
    bytes.map((file, index) => {
      const head = file.subarray(0, file.length - 16)
      return { name: `IM${index + 1}`, bytes: head, header: parseInstanceHeader(head, file.length, `IM${index + 1}`, index)! }
    })

  it('takes a refused file out of its series and lists it with its reason', () => {
    const { result } = ingestFiles(fromHeads(slices), { refused: new Map([[1, 'File is truncated']]) })
    const series = result.patients[0]!.studies[0]!.series[0]!
    assert.deepEqual(
      series.instances.map((instance) => instance.source),
      ['IM1', 'IM3'],
    )
    assert.equal(series.geometry.sliceSpacing, 4)
    assert.deepEqual(result.rejected, [{ source: 'IM2', reason: 'File is truncated' }])
  })

  it('keeps the duplicate of a refused file in its place, as a whole read of every file would', () => {
    const inputs = fromHeads([slices[0]!, slices[0]!])
    assert.deepEqual(ingestFiles(inputs).result.rejected, [{ source: 'IM2', reason: 'Duplicate of IM1 (same SOP Instance UID)' }])
    const { result } = ingestFiles(inputs, { refused: new Map([[0, 'Compressed pixel data is truncated']]) })
    assert.deepEqual(result.rejected, [{ source: 'IM1', reason: 'Compressed pixel data is truncated' }])
    assert.deepEqual(
      result.patients[0]!.studies[0]!.series[0]!.instances.map((instance) => instance.source),
      ['IM2'],
    )
  })
})
