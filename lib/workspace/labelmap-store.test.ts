import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { LabelmapDocument } from '../annotation/labelmap-document'
import { LabelmapStore } from './labelmap-store'

const model = { kind: 'model', id: 'lesion-seg-2d', version: '1.0.0', sha256: 'ab' } as const
const user = { kind: 'user', userId: 'u1' } as const

function entry(uid = '1.2.3') {
  const document = new LabelmapDocument(uid, { columns: 2, rows: 2, slices: 1 }, [
    { number: 1, name: 'Lesion', color: [255, 0, 0], category: null, type: null, source: model },
    { number: 2, name: 'Mine', color: [0, 255, 0], category: null, type: null, source: user },
  ])
  return { document, imageIds: ['a'] }
}

describe('labelmap store: edited and hidden segments', () => {
  it('marks only model-made segments as edited, once, and forgets them when the document is replaced', () => {
    const store = new LabelmapStore()
    store.put(entry())
    let changes = 0
    store.subscribe(() => (changes += 1))
    store.markEdited('1.2.3', [1, 2])
    assert.deepEqual([...store.editedSegments('1.2.3')], [1])
    store.markEdited('1.2.3', [1])
    assert.equal(changes, 1, 'marking again changes nothing')
    store.put(entry())
    assert.equal(store.editedSegments('1.2.3').size, 0)
    store.destroy()
  })

  it('hides and shows segments per series', () => {
    const store = new LabelmapStore()
    store.put(entry('1'))
    store.put(entry('2'))
    store.setSegmentHidden('1', 2, true)
    assert.deepEqual([...store.hiddenSegments('1')], [2])
    assert.equal(store.hiddenSegments('2').size, 0)
    store.setSegmentHidden('1', 2, false)
    assert.equal(store.hiddenSegments('1').size, 0)
    store.setSegmentHidden('1', 1, true)
    store.remove('1')
    assert.equal(store.hiddenSegments('1').size, 0)
    store.destroy()
  })
})
