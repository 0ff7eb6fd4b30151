// Generated CT series are valid DICOM: dciodvfy (Debian dicom3tools) checks every module of
// the CT Image IOD and reports no errors; our own parser reads them back with the geometry
// and HU values the phantom holds.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { dciodvfyBytes, missingDciodvfy } from '../../tests/support/dciodvfy'
import { readNativeFrame } from '../dicom/native-frame'
import { parseInstance } from '../dicom/parse-instance'
import { generateChestPhantom } from './chest-phantom'
import { studyIdentity } from './studies'
import { writeCtSeries } from './write-ct-series'

describe('synthetic CT series', () => {
  const phantom = generateChestPhantom({ seed: 42, noduleCount: 2, columns: 96, rows: 80, slices: 6, pixelSpacing: 3.5, diameterRange: [10, 20] })
  const files = writeCtSeries(phantom, studyIdentity(42, 'Test'))

  const dciodvfyErrors = (bytes: Uint8Array) => dciodvfyBytes(bytes).errors

  it('passes dciodvfy without errors', { skip: missingDciodvfy() }, () => {
    for (const [index, bytes] of files.entries()) assert.deepEqual(dciodvfyErrors(bytes), [], `slice ${index}`)
    // The check can fail: an image without its (type 1) Study Instance UID is reported.
    const [broken] = writeCtSeries(generateChestPhantom({ seed: 1, noduleCount: 0, columns: 16, rows: 16, slices: 1 }), { ...studyIdentity(1, 'Broken'), studyInstanceUid: '' })
    assert.ok(dciodvfyErrors(broken!).length > 0)
  })

  it('reads back with the phantom geometry and HU values', () => {
    for (const [k, bytes] of files.entries()) {
      const parsed = parseInstance(bytes, `${k}.dcm`, k)
      assert.ok(parsed.ok, parsed.ok ? '' : parsed.rejection.reason)
      const instance = parsed.instance
      assert.equal(instance.modality, 'CT')
      assert.deepEqual([instance.rows, instance.columns], [80, 96])
      assert.deepEqual(instance.pixelSpacing, [3.5, 3.5])
      assert.deepEqual(instance.imagePositionPatient, [phantom.origin[0], phantom.origin[1], phantom.origin[2] + k * phantom.sliceSpacing])
      assert.deepEqual([...readNativeFrame(bytes, instance)], [...phantom.hu.subarray(k * 96 * 80, (k + 1) * 96 * 80)])
    }
  })

  it('is the same study, bit for bit, from the same seed', () => {
    const again = writeCtSeries(
      generateChestPhantom({ seed: 42, noduleCount: 2, columns: 96, rows: 80, slices: 6, pixelSpacing: 3.5, diameterRange: [10, 20] }),
      studyIdentity(42, 'Test'),
    )
    assert.deepEqual(again, files)
  })
})
