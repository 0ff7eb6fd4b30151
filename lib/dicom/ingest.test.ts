import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { zipSync } from 'fflate'
import { concatBytes, part10, sequence, syntheticCtImage, text } from '../../tests/support/dicom-bytes'
import { readFolder } from '../../tests/support/read-folder'
import { missingSharedData, sharedDataPath } from '../../tests/support/shared-data'
import { MEDIA_STORAGE_DIRECTORY_SOP_CLASS } from './dicomdir'
import { ingestFiles, type IngestInput } from './ingest'

const dicomdir = part10(concatBytes([text(0x00041130, 'CS', 'MEDIA'), sequence(0x00041220, [])]), {
  sopClassUid: MEDIA_STORAGE_DIRECTORY_SOP_CLASS,
  sopInstanceUid: '1.2.3.99',
})

const slice = (n: number) => syntheticCtImage({ sopInstanceUid: `1.2.3.10.${n}`, instanceNumber: n, position: [0, 0, n * 2] })

describe('ingestFiles', () => {
  it('skips DICOMDIR and OS metadata, rejects the rest with reasons, and groups what is left', () => {
    const { result } = ingestFiles([
      { name: 'DICOMDIR', bytes: dicomdir },
      { name: 'a/.DS_Store', bytes: new Uint8Array([0, 0, 0, 1, 0x42, 0x75, 0x64, 0x31]) },
      { name: 'Thumbs.db', bytes: new Uint8Array(600) },
      { name: 'a/._IM1', bytes: new Uint8Array(100) },
      { name: 'notes.txt', bytes: new TextEncoder().encode('hello') },
      { name: 'a/IM3', bytes: slice(3) },
      { name: 'a/IM1', bytes: slice(1) },
      { name: 'a/IM2', bytes: slice(2) },
    ])
    assert.deepEqual(result.ignored, ['DICOMDIR', 'a/.DS_Store', 'Thumbs.db', 'a/._IM1'])
    assert.deepEqual(result.rejected, [{ source: 'notes.txt', reason: 'Not a DICOM file (only 5 bytes)' }])
    const series = result.patients[0]!.studies[0]!.series[0]!
    assert.deepEqual(
      series.instances.map((instance) => [instance.source, instance.fileIndex]),
      [
        ['a/IM1', 6],
        ['a/IM2', 7],
        ['a/IM3', 5],
      ],
    )
    assert.equal(series.geometry.sliceSpacing, 2)
    assert.equal(series.geometry.isVolume, true)
  })

  it('expands zips, numbering their entries after the input files and returning their bytes', () => {
    const archive = zipSync({
      'export/DICOMDIR': dicomdir,
      'export/IM1': slice(1),
      'export/IM2': slice(2),
      '__MACOSX/export/._IM1': new Uint8Array(80),
      'export/inner.zip': zipSync({ 'x.dcm': slice(9) }),
      'export/readme.txt': new TextEncoder().encode('not an image'),
    })
    const inputs: IngestInput[] = [
      { name: 'IM3', bytes: slice(3) },
      { name: 'export.zip', bytes: archive },
    ]
    const { result, extracted } = ingestFiles(inputs)
    assert.deepEqual(result.ignored, ['export.zip/export/DICOMDIR', 'export.zip/__MACOSX/export/._IM1'])
    assert.deepEqual(result.rejected, [
      { source: 'export.zip/export/inner.zip', reason: 'Zip archives inside zip archives are not opened' },
      { source: 'export.zip/export/readme.txt', reason: 'Not a DICOM file (only 12 bytes)' },
    ])
    const instances = result.patients[0]!.studies[0]!.series[0]!.instances
    assert.deepEqual(
      instances.map((instance) => instance.source),
      ['export.zip/export/IM1', 'export.zip/export/IM2', 'IM3'],
    )
    // Plain files keep their input index; archive entries come after, and their bytes come back.
    assert.equal(instances[2]!.fileIndex, 0)
    for (const instance of instances.slice(0, 2)) {
      assert.ok(instance.fileIndex >= inputs.length)
      const entry = extracted.find((file) => file.fileIndex === instance.fileIndex)
      assert.ok(entry, `bytes for ${instance.source}`)
      assert.equal(entry.name, instance.source)
    }
    assert.equal(extracted.length, 2, 'only accepted entries come back')
  })

  it('loads the good files when an archive is refused, and reports duplicates once', () => {
    const bomb = zipSync({ 'zeros.dcm': new Uint8Array(8 * 2 ** 20) }, { level: 9 })
    const { result } = ingestFiles([
      { name: 'bomb.zip', bytes: bomb },
      { name: 'IM1', bytes: slice(1) },
      { name: 'copy/IM1', bytes: slice(1) },
    ])
    assert.deepEqual(
      result.rejected.map((rejection) => rejection.source),
      ['bomb.zip', 'copy/IM1'],
    )
    assert.match(result.rejected[0]!.reason, /possible zip bomb/)
    assert.equal(result.rejected[1]!.reason, 'Duplicate of IM1 (same SOP Instance UID)')
    assert.equal(result.patients[0]!.studies[0]!.series[0]!.instances.length, 1)
  })

  const skipPet = missingSharedData('pet-headneck')
  it('reads the PET series as a 299-slice volume and keeps its SEG apart, not as an image series', { skip: skipPet ?? false }, () => {
    const files = readFolder(sharedDataPath('pet-headneck'))
    const { result } = ingestFiles(files)
    assert.deepEqual(result.rejected, [])
    assert.equal(result.patients.length, 1)
    assert.equal(result.patients[0]!.studies.length, 1)
    const series = result.patients[0]!.studies[0]!.series
    assert.deepEqual(
      series.map((entry) => entry.modality),
      ['PT'],
    )
    assert.deepEqual([series[0]!.instances.length, series[0]!.frameCount, series[0]!.geometry.isVolume], [299, 299, true])
    assert.deepEqual(
      result.segmentations.map((instance) => [instance.modality, instance.numberOfFrames, instance.studyInstanceUid]),
      [['SEG', 13, result.patients[0]!.studies[0]!.studyInstanceUid]],
    )
  })

  const skipCt = missingSharedData('ct-chest-lidc0314')
  it('reads the whole chest CT, zipped, as one ordered 275-slice volume', { skip: skipCt ?? false }, () => {
    const files = readFolder(sharedDataPath('ct-chest-lidc0314'))
    // Mostly stored (fflate deflates slowly, and JPEG-LS data does not shrink); every tenth deflated.
    const archive = zipSync(Object.fromEntries(files.map((file, index) => [`LIDC-IDRI-0314/${file.name}`, [file.bytes, { level: index % 10 === 0 ? 1 : 0 }]])))
    const { result, extracted } = ingestFiles([{ name: 'ct.zip', bytes: archive }])
    assert.deepEqual(result.rejected, [])
    assert.equal(result.patients.length, 1)
    assert.equal(result.patients[0]!.patientId, 'LIDC-IDRI-0314')
    assert.equal(result.patients[0]!.studies[0]!.series.length, 1)
    const series = result.patients[0]!.studies[0]!.series[0]!
    assert.equal(series.instances.length, 275)
    assert.equal(extracted.length, 275)
    assert.equal(series.geometry.isVolume, true)
    assert.ok(Math.abs(series.geometry.sliceSpacing! - 1) < 1e-6)
  })
})
