import assert from 'node:assert/strict'
import { test } from 'node:test'
import { boxMask, emptyMask, type Grid } from '../../tests/support/agreement-masks'
import { consensus, majorityVote } from './consensus'
import { AgreementError, type MaskVolume } from './mask-volume'

const grid: Grid = { columns: 16, rows: 12, slices: 6, spacing: [0.7, 0.9, 2.5] }
const count = (data: Uint8Array) => data.reduce((sum, value) => sum + value, 0)

// Three raters of one 6×6×4 box: two close to it, one adding a 3-column false-positive slab.
const truth = boxMask(grid, [4, 3, 1], [9, 8, 4])
const good = boxMask(grid, [4, 3, 1], [9, 8, 4])
const close = boxMask(grid, [4, 3, 1], [10, 8, 4])
const generous = boxMask(grid, [1, 3, 1], [12, 8, 4])

test('majority vote: strictly more than half of the raters; a tie is out', () => {
  const three = majorityVote([good, close, generous])
  assert.deepEqual(three, boxMask(grid, [4, 3, 1], [10, 8, 4]).data)
  // Two raters: a voxel needs both (the intersection).
  assert.deepEqual(majorityVote([good, generous]), good.data)
})

test('majority vote and STAPLE on a grid whose rows are not 4-byte aligned', () => {
  const odd: Grid = { ...grid, columns: 13 }
  const raters = [boxMask(odd, [1, 1, 1], [6, 6, 3]), boxMask(odd, [2, 1, 1], [7, 6, 3]), boxMask(odd, [1, 2, 1], [6, 7, 4])]
  const expected = raters[0]!.data.map((_, i) => (raters.filter((rater) => rater.data[i]).length >= 2 ? 1 : 0))
  assert.deepEqual(majorityVote(raters), expected)
  assert.equal(consensus(raters, 'staple').method, 'staple')
})

test('STAPLE recovers the box, rates the generous rater less specific, and is an EM fixed point', () => {
  const result = consensus([good, close, generous], 'staple')
  assert.equal(result.method, 'staple')
  assert.deepEqual(result.notes, [])
  const staple = result.staple!
  assert.ok(staple.converged)
  assert.ok(staple.specificity[2]! < staple.specificity[0]!, `specificities ${staple.specificity}`)
  assert.ok(count(result.mask) >= count(truth.data) && count(result.mask) <= count(close.data))
  for (let i = 0; i < truth.data.length; i += 1) if (truth.data[i]) assert.equal(result.mask[i], 1)
  // The prior is the raters' mean labelled fraction.
  const labelled = [good, close, generous].reduce((sum, mask) => sum + count(mask.data), 0)
  assert.ok(Math.abs(staple.prior - labelled / (3 * truth.data.length)) < 1e-15)
  // Recompute one E-step and M-step voxel by voxel from the returned p, q: they must not move.
  const raters = [good, close, generous]
  const posterior = new Float64Array(truth.data.length)
  for (let i = 0; i < posterior.length; i += 1) {
    let a = staple.prior
    let b = 1 - staple.prior
    raters.forEach((rater, j) => {
      a *= rater.data[i] ? staple.sensitivity[j]! : 1 - staple.sensitivity[j]!
      b *= rater.data[i] ? 1 - staple.specificity[j]! : staple.specificity[j]!
    })
    posterior[i] = a / (a + b)
  }
  raters.forEach((rater, j) => {
    let tp = 0
    let w = 0
    let tn = 0
    let notW = 0
    for (let i = 0; i < posterior.length; i += 1) {
      w += posterior[i]!
      notW += 1 - posterior[i]!
      if (rater.data[i]) tp += posterior[i]!
      else tn += 1 - posterior[i]!
    }
    assert.ok(Math.abs(tp / w - staple.sensitivity[j]!) < 1e-6, `sensitivity of rater ${j}`)
    assert.ok(Math.abs(tn / notW - staple.specificity[j]!) < 1e-6, `specificity of rater ${j}`)
  })
  for (let i = 0; i < posterior.length; i += 1) assert.equal(result.mask[i], posterior[i]! > 0.5 ? 1 : 0)
})

test('STAPLE of identical raters is their mask', () => {
  const result = consensus([good, good, good, good], 'staple')
  assert.equal(result.method, 'staple')
  assert.deepEqual(result.mask, good.data)
})

test('STAPLE falls back to majority vote, with a note, where it does not apply', () => {
  const two = consensus([good, generous], 'staple')
  assert.deepEqual([two.method, two.requested, two.staple], ['majority', 'staple', null])
  assert.match(two.notes[0]!, /at least 3 annotators \(here 2\)/)
  assert.deepEqual(two.mask, good.data)
  const empty = consensus([emptyMask(grid), emptyMask(grid), emptyMask(grid)], 'staple')
  assert.equal(empty.method, 'majority')
  assert.equal(count(empty.mask), 0)
  assert.match(empty.notes[0]!, /empty/)
  const many = consensus(
    Array.from({ length: 17 }, () => good),
    'staple',
  )
  assert.equal(many.method, 'majority')
  assert.match(many.notes[0]!, /limited to 16/)
})

test('consensus refuses no masks, or masks on different grids', () => {
  assert.throws(() => consensus([], 'majority'), AgreementError)
  const other: MaskVolume = boxMask({ ...grid, rows: 13 }, [1, 1, 1], [2, 2, 2])
  assert.throws(() => consensus([good, other], 'majority'), /Annotation 1 .* and Annotation 2 .* are not on the same grid/)
})
