import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { directionLabel, edgeLabels } from './orientation'

describe('orientation markers', () => {
  it('labels a standard axial view as radiologists expect (patient right on screen left)', () => {
    // Cornerstone's axial camera: viewUp = anterior (0,-1,0), normal towards the feet... of the viewer: (0,0,-1)
    assert.deepEqual(edgeLabels([0, -1, 0], [0, 0, -1]), { top: 'A', bottom: 'P', left: 'R', right: 'L' })
  })
  it('labels a coronal view: head up, patient right on screen left', () => {
    assert.deepEqual(edgeLabels([0, 0, 1], [0, -1, 0]), { top: 'S', bottom: 'I', left: 'R', right: 'L' })
  })
  it('labels a sagittal view: head up, anterior on screen left', () => {
    assert.deepEqual(edgeLabels([0, 0, 1], [1, 0, 0]), { top: 'S', bottom: 'I', left: 'A', right: 'P' })
  })
  it('gives two letters for oblique directions, strongest first', () => {
    assert.equal(directionLabel([0.8, 0, 0.6]), 'LS')
    assert.equal(directionLabel([-0.3, 0.95, 0]), 'PR')
    assert.equal(directionLabel([0.1, 0, -0.99]), 'I')
  })
})
