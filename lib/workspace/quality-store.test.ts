// The quality store reports header checks at once and adds the pixel checks of a series
// when its summaries arrive, with the same pure assessment the CLI uses.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { readNativeFrame } from '../dicom/native-frame'
import { parseInstance } from '../dicom/parse-instance'
import { readQualityAttributes } from '../quality/attributes'
import { summarisePixels, type PixelSummary } from '../quality/assess'
import { generateChestPhantom } from '../synthetic/chest-phantom'
import { studyIdentity } from '../synthetic/studies'
import { writeCtSeries } from '../synthetic/write-ct-series'
import { QualityStore } from './quality-store'

function study(seed: number, patientName: string) {
  const phantom = generateChestPhantom({ seed, noduleCount: 1, columns: 64, rows: 64, slices: 8, pixelSpacing: 5, sliceSpacing: 2.5 })
  return writeCtSeries(phantom, { ...studyIdentity(seed, ''), patientName, accessionNumber: '' }).map((bytes, index) => {
    const parsed = parseInstance(bytes, `slice${index + 1}.dcm`, index)
    assert.ok(parsed.ok)
    return { bytes, instance: parsed.instance, attributes: readQualityAttributes(bytes) }
  })
}

describe('QualityStore', () => {
  it('reports header findings at once, then pixel findings for the series summarised', () => {
    const files = study(201, 'Doe^Jane').filter((_, index) => index !== 3)
    const store = new QualityStore()
    store.reset(files[0]!.instance.studyInstanceUid, 'reading-headers')
    store.setInstances(files.map(({ instance, attributes }) => ({ instance, attributes })))
    assert.equal(store.snapshot.status, 'headers-read')
    assert.deepEqual(store.snapshot.findings.map((finding) => finding.code).sort(), ['gap', 'identifying-attributes'])

    const uid = files[0]!.instance.seriesInstanceUid
    const pixels = new Map<string, PixelSummary>(
      files.map(({ bytes, instance, attributes }) => [instance.sopInstanceUid, summarisePixels(readNativeFrame(bytes, instance), instance, attributes)]),
    )
    // One image's values pushed below the physical range, as a wrong rescale would.
    const first = files[0]!.instance.sopInstanceUid
    pixels.set(first, { belowPhysical: 10, commonestBelow: -2000, commonestBelowCount: 10, padding: 0 })
    store.setPixels(uid, pixels)
    assert.equal(store.snapshot.status, 'done')
    assert.ok(store.snapshot.pixelsRead.has(uid))
    const below = store.snapshot.findings.filter((finding) => finding.code === 'below-physical-range')
    assert.deepEqual(
      below.map((finding) => finding.sopInstanceUid),
      [first],
    )
  })

  it('finds nothing on a clean study, headers and pixels', () => {
    const files = study(202, '')
    const store = new QualityStore()
    store.setInstances(files.map(({ instance, attributes }) => ({ instance, attributes })))
    store.setPixels(
      files[0]!.instance.seriesInstanceUid,
      new Map(files.map(({ bytes, instance, attributes }) => [instance.sopInstanceUid, summarisePixels(readNativeFrame(bytes, instance), instance, attributes)])),
    )
    assert.deepEqual(store.snapshot.findings, [])
  })
})
