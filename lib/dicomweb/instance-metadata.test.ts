import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { instanceFromDicomJson } from './instance-metadata'

describe('instanceFromDicomJson', () => {
  it('reads geometry, identity and display attributes from WADO-RS metadata', () => {
    const instance = instanceFromDicomJson(
      {
        '00080018': { vr: 'UI', Value: ['1.2.3.4.5'] },
        '0020000D': { vr: 'UI', Value: ['1.2.3'] },
        '0020000e': { vr: 'UI', Value: ['1.2.3.4'] },
        '00100010': { vr: 'PN', Value: [{ Alphabetic: 'Doe^Jane' }] },
        '00080060': { vr: 'CS', Value: ['CT'] },
        '00200013': { vr: 'IS', Value: [7] },
        '00280010': { vr: 'US', Value: [512] },
        '00280011': { vr: 'US', Value: [512] },
        '00200032': { vr: 'DS', Value: [-10.5, 20, '30.25'] },
        '00200037': { vr: 'DS', Value: [1, 0, 0, 0, 1, 0] },
        '00280030': { vr: 'DS', Value: [0.7, 0.7] },
        '00281052': { vr: 'DS', Value: [-1024] },
        '7FE00010': { vr: 'OW', BulkDataURI: 'http://pacs/bulk' },
      },
      3,
    )
    assert.ok(instance)
    assert.equal(instance.patientName, 'Doe^Jane')
    assert.equal(instance.seriesInstanceUid, '1.2.3.4')
    assert.deepEqual(instance.imagePositionPatient, [-10.5, 20, 30.25])
    assert.deepEqual(instance.pixelSpacing, [0.7, 0.7])
    assert.equal(instance.rescaleIntercept, -1024)
    assert.equal(instance.numberOfFrames, 1)
    assert.equal(instance.fileIndex, 3)
    assert.equal(instance.hasPixelData, true)
  })

  it('refuses an instance without its UIDs', () => {
    assert.equal(instanceFromDicomJson({ '00080018': { vr: 'UI', Value: ['1.2'] } }, 0), null)
  })
})
