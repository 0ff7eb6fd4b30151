import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { concatBytes, part10, sequence, syntheticCtImage, text } from '../../tests/support/dicom-bytes'
import { missingPydicomTestFiles, pydicomTestFilesDir } from '../../tests/support/pydicom-data'
import { readFolder } from '../../tests/support/read-folder'
import { MEDIA_STORAGE_DIRECTORY_SOP_CLASS, isDicomdir, readDicomdir } from './dicomdir'

function fileIdsOf(bytes: Uint8Array): string[] {
  const result = readDicomdir(bytes)
  assert.ok(result.ok, result.ok ? '' : result.reason)
  return result.fileIds
}

/** A DICOMDIR with one PATIENT record (no file) and the given IMAGE records. */
function syntheticDicomdir(fileIds: string[], transferSyntaxUid?: string): Uint8Array {
  const records = [text(0x00041430, 'CS', 'PATIENT'), ...fileIds.map((fileId) => concatBytes([text(0x00041430, 'CS', 'IMAGE'), text(0x00041500, 'CS', fileId)]))]
  const dataSet = concatBytes([text(0x00041130, 'CS', 'TEST'), sequence(0x00041220, records)])
  return part10(dataSet, { sopClassUid: MEDIA_STORAGE_DIRECTORY_SOP_CLASS, sopInstanceUid: '1.2.3.4', transferSyntaxUid })
}

describe('DICOMDIR', () => {
  it('lists the referenced file IDs as relative paths, in record order', () => {
    const bytes = syntheticDicomdir(['DICOM\\PAT1\\IMG1', 'DICOM\\PAT1\\IMG2', 'SINGLE'])
    assert.equal(isDicomdir(bytes), true)
    assert.deepEqual(fileIdsOf(bytes), ['DICOM/PAT1/IMG1', 'DICOM/PAT1/IMG2', 'SINGLE'])
  })

  it('recognises a DICOMDIR by its file meta only, not by name or content', () => {
    assert.equal(isDicomdir(syntheticCtImage({ sopInstanceUid: '1.2.3.5' })), false)
    assert.equal(isDicomdir(new Uint8Array(64)), false)
    assert.deepEqual(readDicomdir(syntheticCtImage({ sopInstanceUid: '1.2.3.5' })), { ok: false, reason: 'Not a DICOMDIR' })
  })

  it('refuses a deflated DICOMDIR (the standard forbids it) instead of inflating it unbounded', () => {
    const result = readDicomdir(syntheticDicomdir(['A'], '1.2.840.10008.1.2.1.99'))
    assert.ok(!result.ok)
    assert.match(result.reason, /^DICOMDIR could not be read \(a DICOMDIR must not be deflated\)$/)
  })

  const skip = missingPydicomTestFiles()
  const dicomdirTests = path.join(pydicomTestFilesDir, 'dicomdirtests')
  const read = (...segments: string[]) => new Uint8Array(readFileSync(path.join(dicomdirTests, ...segments)))

  it("reads pydicom's DICOMDIR: its 31 references are exactly the image files beside it", { skip: skip ?? false }, () => {
    const onDisk = readFolder(dicomdirTests)
      .map((file) => file.name)
      .filter((name) => /^\d+\//.test(name))
      .sort()
    assert.equal(onDisk.length, 31)
    const fileIds = fileIdsOf(read('DICOMDIR'))
    assert.deepEqual([...fileIds].sort(), onDisk)
    assert.deepEqual(fileIds.slice(0, 3), ['77654033/CR1/6154', '77654033/CR2/6247', '77654033/CR3/6278'])
    // The same directory in big endian, reordered, and without patient records.
    for (const variant of ['DICOMDIR-bigEnd', 'DICOMDIR-reordered', 'DICOMDIR-nopatient']) {
      assert.deepEqual([...fileIdsOf(read(variant))].sort(), onDisk, variant)
    }
    assert.deepEqual(fileIdsOf(read('DICOMDIR-empty.dcm')), [])
  })

  it("reads the 50 references of pydicom's TINY_ALPHA media", { skip: skip ?? false }, () => {
    const images = readFolder(path.join(dicomdirTests, 'TINY_ALPHA'))
      .map((file) => file.name)
      .filter((name) => name.startsWith('PT000000/'))
    assert.equal(images.length, 50)
    assert.deepEqual(fileIdsOf(read('TINY_ALPHA', 'DICOMDIR')), images)
  })
})
