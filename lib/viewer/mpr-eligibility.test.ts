import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { DicomSeries, GeometryWarning } from '../dicom/types'
import { mprEligibility } from './mpr-eligibility'

function series(warnings: GeometryWarning[], slices = 10): DicomSeries {
  return {
    seriesInstanceUid: '1.2',
    seriesNumber: 1,
    seriesDescription: '',
    modality: 'CT',
    instances: Array.from({ length: slices }, () => ({}) as DicomSeries['instances'][number]),
    frameCount: slices,
    geometry: { normal: [0, 0, 1], sliceSpacing: 1, isVolume: warnings.length === 0, warnings },
  }
}

describe('mprEligibility', () => {
  it('allows a regular volume without caveats', () => {
    assert.deepEqual(mprEligibility(series([])), { allowed: true, caveats: [], reason: null })
  })
  it('allows a volume with a missing slice, carrying the warning along', () => {
    const result = mprEligibility(series([{ kind: 'gap', message: 'About 1 slice(s) missing' }]))
    assert.equal(result.allowed, true)
    assert.deepEqual(result.caveats, ['About 1 slice(s) missing'])
  })
  it('refuses mixed orientations and too few slices', () => {
    assert.equal(mprEligibility(series([{ kind: 'mixed-orientation', message: 'mixed' }])).allowed, false)
    assert.equal(mprEligibility(series([], 2)).allowed, false)
  })
})
