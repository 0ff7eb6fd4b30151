import assert from 'node:assert/strict'
import { test } from 'node:test'
import { LabelmapDocument, LabelmapError, type SegmentInit } from './labelmap-document'

const nodule: SegmentInit = { number: 1, name: 'Nodule', color: [255, 0, 0], category: null, type: null, source: { kind: 'user', userId: 'u1' } }
const grid = { columns: 4, rows: 3, slices: 2 }

function square(): Uint8Array {
  const mask = new Uint8Array(12)
  for (const p of [5, 6, 9, 10]) mask[p] = 1
  return mask
}

test('paints in one transaction, announces the slice, and counts the voxels', () => {
  const doc = new LabelmapDocument('1.2.3', grid, [nodule])
  const events: { slices: number[]; reason: string; version: number }[] = []
  doc.on('labels-changed', (detail) => events.push(detail))
  const slices = doc.transact('brush', (edit) => edit.paintSlice(1, square(), 1))
  assert.deepEqual(slices, [1])
  assert.deepEqual(events, [{ version: 1, slices: [1], layers: [0], reason: 'edit', label: 'brush' }])
  assert.deepEqual(doc.counts(), [20, 4])
  assert.deepEqual([...doc.slice(1)], [0, 0, 0, 0, 0, 1, 1, 0, 0, 1, 1, 0])
  assert.deepEqual([...doc.slice(0)], new Array(12).fill(0))
})

test('undo restores exactly what the edit overwrote, redo reapplies it', () => {
  const initial = new Uint8Array(24)
  initial[5] = 2
  initial[17] = 2
  const doc = new LabelmapDocument('1.2.3', grid, [nodule, { ...nodule, number: 2, name: 'Other' }], initial)
  const before = Uint8Array.from(doc.labels)
  doc.transact('fill', (edit) => {
    edit.paintSlice(0, square(), 1)
    edit.set(17, 0)
  })
  const after = Uint8Array.from(doc.labels)
  assert.notDeepEqual(after, before)
  assert.equal(doc.undo(), true)
  assert.deepEqual(doc.labels, before)
  assert.equal(doc.canRedo, true)
  assert.equal(doc.redo(), true)
  assert.deepEqual(doc.labels, after)
  assert.equal(doc.version, 3)
})

test('a new edit clears the redo history; an edit that changes nothing records nothing', () => {
  const doc = new LabelmapDocument('1.2.3', grid, [nodule])
  doc.transact('a', (edit) => edit.set(0, 1))
  doc.undo()
  doc.transact('b', (edit) => edit.set(1, 1))
  assert.equal(doc.canRedo, false)
  const version = doc.version
  assert.deepEqual(
    doc.transact('noop', (edit) => edit.set(1, 1)),
    [],
  )
  assert.equal(doc.version, version)
})

test('a failing edit is rolled back whole and not recorded', () => {
  const doc = new LabelmapDocument('1.2.3', grid, [nodule])
  assert.throws(
    () =>
      doc.transact('bad', (edit) => {
        edit.set(0, 1)
        edit.set(99, 1)
      }),
    LabelmapError,
  )
  assert.equal(doc.labels[0], 0)
  assert.equal(doc.canUndo, false)
})

test('refuses labels that do not fit the grid and duplicate segment numbers', () => {
  assert.throws(() => new LabelmapDocument('1', grid, [nodule], new Uint8Array(5)), /needs 24/)
  assert.throws(() => new LabelmapDocument('1', grid, [nodule, nodule]), /used twice/)
  assert.throws(() => new LabelmapDocument('1', { columns: 0, rows: 1, slices: 1 }, []), LabelmapError)
})

test('segments without a layer go on layer 0; a segment on a new layer allocates it', () => {
  const doc = new LabelmapDocument('1', grid, [nodule])
  assert.equal(doc.segment(1)?.layer, 0)
  assert.equal(doc.layerCount, 1)
  const events: number[] = []
  doc.on('segments-changed', ({ version }) => events.push(version))
  doc.addSegment({ ...nodule, number: 2, name: 'Oedema', layer: 2 })
  assert.equal(doc.layerCount, 3)
  assert.equal(doc.layerLabels(2).length, 24)
  assert.deepEqual(events, [1])
  assert.throws(() => doc.addSegment({ ...nodule, number: 3, layer: -1 }), /layer -1/)
  assert.throws(() => doc.setSegments([{ ...nodule, layer: 1 }]), /cannot move/)
  doc.setSegments([
    { ...nodule, name: 'Renamed' },
    { ...nodule, number: 2, layer: 2 },
  ])
  assert.equal(doc.segment(1)?.name, 'Renamed')
  assert.throws(() => doc.layerLabels(3), LabelmapError)
  assert.throws(() => doc.slice(0, 3), LabelmapError)
})

test('overlapping segments on two layers: paint, erase, has, mask, and undo over both layers', () => {
  const doc = new LabelmapDocument('1', grid, [nodule, { ...nodule, number: 2, name: 'Lobe', layer: 1 }, { ...nodule, number: 3, name: 'Vessel' }])
  const events: { slices: number[]; layers: number[] }[] = []
  doc.on('labels-changed', ({ slices, layers }) => events.push({ slices, layers }))
  doc.transact('brush', (edit) => {
    for (const index of [1, 2, 13]) edit.paint(index, 1)
    for (const index of [2, 3]) edit.paint(index, 2)
    assert.equal(edit.has(2, 1), true)
    assert.equal(edit.has(2, 2), true)
    assert.equal(edit.has(3, 1), false)
  })
  assert.deepEqual(events, [{ slices: [0, 1], layers: [0, 1] }])
  assert.deepEqual(
    [...doc.mask(1)].flatMap((v, i) => (v ? [i] : [])),
    [1, 2, 13],
  )
  assert.deepEqual(
    [...doc.mask(2)].flatMap((v, i) => (v ? [i] : [])),
    [2, 3],
  )
  assert.deepEqual([...doc.slice(0, 1)].slice(0, 4), [0, 0, 2, 2])
  assert.deepEqual(doc.counts(), [24 - 4, 3, 2])
  const layer0 = Uint8Array.from(doc.labels)
  const layer1 = Uint8Array.from(doc.layerLabels(1))
  doc.transact('eraser', (edit) => {
    edit.erase(2, 2)
    edit.erase(13, 2) // voxel 13 holds segment 1, not 2: unchanged
    edit.paint(1, 3) // segment 3 shares layer 0 with segment 1, so it replaces it there
  })
  assert.deepEqual(events.at(-1), { slices: [0], layers: [0, 1] })
  assert.deepEqual(
    [...doc.mask(2)].flatMap((v, i) => (v ? [i] : [])),
    [3],
  )
  assert.equal(doc.labels[13], 1)
  assert.equal(doc.labels[1], 3)
  assert.equal(doc.undo(), true)
  assert.deepEqual(doc.labels, layer0)
  assert.deepEqual(doc.layerLabels(1), layer1)
  assert.equal(doc.undo(), true)
  assert.deepEqual(doc.layerLabels(1), new Uint8Array(24))
  assert.deepEqual(doc.labels, new Uint8Array(24))
  doc.redo()
  assert.deepEqual(doc.layerLabels(1), layer1)
  assert.throws(() => doc.transact('bad', (edit) => edit.paint(0, 9)), /Segment 9 is not/)
})

test('a failing edit rolls back every layer it wrote', () => {
  const doc = new LabelmapDocument('1', grid, [nodule, { ...nodule, number: 2, layer: 1 }])
  assert.throws(() =>
    doc.transact('bad', (edit) => {
      edit.paint(0, 1)
      edit.paint(14, 2)
      edit.paint(24, 2)
    }),
  )
  assert.deepEqual(doc.labels, new Uint8Array(24))
  assert.deepEqual(doc.layerLabels(1), new Uint8Array(24))
  assert.equal(doc.canUndo, false)
})

test('starts from labels of several layers', () => {
  const a = new Uint8Array(24).fill(1)
  const b = new Uint8Array(24)
  b[5] = 2
  const doc = new LabelmapDocument('1', grid, [nodule, { ...nodule, number: 2, layer: 1 }], [a, b])
  assert.equal(doc.layerCount, 2)
  assert.deepEqual(doc.counts(), [0, 24, 1])
  a[0] = 0
  assert.equal(doc.labels[0], 1, 'the document keeps its own copy')
  assert.throws(() => new LabelmapDocument('1', grid, [], [a, new Uint8Array(3)]), /needs 24/)
})

test('interleaved writes over rows and layers undo exactly; writing a voxel back records nothing for it', () => {
  const doc = new LabelmapDocument('1', grid, [nodule, { ...nodule, number: 2, layer: 1 }])
  doc.transact('setup', (edit) => edit.paint(23, 1))
  doc.transact('mixed', (edit) => {
    edit.paint(0, 1)
    edit.paint(13, 2)
    edit.paint(3, 1)
    edit.paint(1, 2)
    edit.paint(22, 1)
    edit.erase(23, 1)
    edit.paint(23, 1)
    edit.paint(4, 1)
    edit.erase(4, 1)
  })
  assert.deepEqual(
    [...doc.mask(1)].flatMap((v, i) => (v ? [i] : [])),
    [0, 3, 22, 23],
  )
  assert.deepEqual(
    [...doc.mask(2)].flatMap((v, i) => (v ? [i] : [])),
    [1, 13],
  )
  const changed: number[][] = []
  doc.on('labels-changed', ({ slices }) => changed.push(slices))
  doc.undo()
  assert.deepEqual(changed, [[0, 1]])
  assert.deepEqual(
    [...doc.mask(1)].flatMap((v, i) => (v ? [i] : [])),
    [23],
  )
  assert.deepEqual(doc.layerLabels(1), new Uint8Array(24))
  doc.redo()
  assert.deepEqual(
    [...doc.mask(2)].flatMap((v, i) => (v ? [i] : [])),
    [1, 13],
  )
  assert.deepEqual(
    doc.transact('back and forth', (edit) => {
      edit.paint(5, 1)
      edit.erase(5, 1)
    }),
    [],
  )
})
