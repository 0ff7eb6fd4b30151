import assert from 'node:assert/strict'
import { test } from 'node:test'
import { LabelmapDocument, LabelmapError, type Segment } from './labelmap-document'

const nodule: Segment = { number: 1, name: 'Nodule', color: [255, 0, 0], category: null, type: null, source: { kind: 'user', userId: 'u1' } }
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
  assert.deepEqual(events, [{ version: 1, slices: [1], reason: 'edit', label: 'brush' }])
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
