import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { cohensKappa, computeReaderAgreement, type AgreementFinding, type AgreementFindingStatus, type AgreementRead, type ModelAgreement } from './reader-agreement'

// Expected values are worked out by hand in the comments, not read back from the code.

const closeTo = (actual: number | null, expected: number) => {
  assert.notEqual(actual, null)
  assert.ok(Math.abs((actual as number) - expected) < 1e-12, `${actual} is not ${expected}`)
}

const ai = (readId: string, status: AgreementFindingStatus, modelId = 'nodule-v1'): AgreementFinding => ({ readId, origin: 'ai', status, modelId })
const added = (readId: string): AgreementFinding => ({ readId, origin: 'reader', status: 'added', modelId: null })
const read = (id: string, ...modelIds: string[]): AgreementRead => ({ id, modelIds: modelIds.length ? modelIds : ['nodule-v1'] })

function onlyModel(stats: ModelAgreement[]): ModelAgreement {
  assert.equal(stats.length, 1)
  return stats[0]!
}

describe('cohensKappa', () => {
  it('matches the textbook example: a=20, b=5, c=10, d=15 gives 0.4', () => {
    // n=50, po=35/50=0.7, pe=(25*30 + 25*20)/2500=0.5, kappa=(0.7-0.5)/(1-0.5)=0.4
    closeTo(cohensKappa({ both: 20, aiOnly: 5, readerOnly: 10, neither: 15 }), 0.4)
  })

  it('is 1 for perfect agreement with both categories present', () => {
    // po=1, pe=(9+4)/25=0.52
    closeTo(cohensKappa({ both: 3, aiOnly: 0, readerOnly: 0, neither: 2 }), 1)
  })

  it('is -1/3 for a=2, b=1, c=1, d=0', () => {
    // n=4, po=0.5, pe=(3*3 + 1*1)/16=0.625, kappa=-0.125/0.375
    closeTo(cohensKappa({ both: 2, aiOnly: 1, readerOnly: 1, neither: 0 }), -1 / 3)
  })

  it('is null when undefined: an empty table, or every unit in one agreeing cell (pe = 1)', () => {
    assert.equal(cohensKappa({ both: 0, aiOnly: 0, readerOnly: 0, neither: 0 }), null)
    assert.equal(cohensKappa({ both: 7, aiOnly: 0, readerOnly: 0, neither: 0 }), null)
    assert.equal(cohensKappa({ both: 0, aiOnly: 0, readerOnly: 0, neither: 4 }), null)
  })
})

describe('computeReaderAgreement', () => {
  it('computes rates, sensitivity and kappa for one accepted, modified, rejected and added finding', () => {
    const { acceptanceRate, modificationRate, rejectionRate, sensitivity, kappa, ...counts } = onlyModel(
      computeReaderAgreement([read('r1'), read('r2')], [ai('r1', 'accepted'), ai('r1', 'modified'), ai('r2', 'rejected'), added('r2')]),
    )
    assert.deepEqual(counts, {
      modelId: 'nodule-v1',
      reads: 2,
      aiFindings: 3,
      accepted: 1,
      modified: 1,
      rejected: 1,
      pending: 0,
      added: 1,
      table: { both: 2, aiOnly: 1, readerOnly: 1, neither: 0 },
    })
    closeTo(acceptanceRate, 1 / 3)
    closeTo(modificationRate, 1 / 3)
    closeTo(rejectionRate, 1 / 3)
    closeTo(sensitivity, 2 / 3) // (1+1)/(1+1+1)
    closeTo(kappa, -1 / 3) // po=0.5, pe=0.625
  })

  it('counts a read where the model proposed nothing and the reader added nothing as both negative', () => {
    const stats = onlyModel(computeReaderAgreement([read('r1'), read('r2'), read('r3')], [ai('r1', 'accepted'), ai('r1', 'accepted')]))
    assert.deepEqual(stats.table, { both: 2, aiOnly: 0, readerOnly: 0, neither: 2 })
    closeTo(stats.kappa, 1) // po=1, pe=(4+4)/16=0.5
    closeTo(stats.sensitivity, 1)
  })

  it('leaves pending findings out of the rates and the table, but counts them as AI findings', () => {
    const stats = onlyModel(computeReaderAgreement([read('r1')], [ai('r1', 'accepted'), ai('r1', 'rejected'), ai('r1', 'proposed'), ai('r1', 'proposed')]))
    assert.equal(stats.aiFindings, 4)
    assert.equal(stats.pending, 2)
    closeTo(stats.acceptanceRate, 1 / 2)
    closeTo(stats.rejectionRate, 1 / 2)
    assert.deepEqual(stats.table, { both: 1, aiOnly: 1, readerOnly: 0, neither: 0 })
  })

  it('returns null for rates, sensitivity and kappa when they are undefined', () => {
    // One read, one pending finding: nothing decided, nothing positive, no unit in the table.
    const stats = onlyModel(computeReaderAgreement([read('r1')], [ai('r1', 'proposed')]))
    assert.equal(stats.acceptanceRate, null)
    assert.equal(stats.modificationRate, null)
    assert.equal(stats.rejectionRate, null)
    assert.equal(stats.sensitivity, null)
    assert.equal(stats.kappa, null)
    assert.deepEqual(stats.table, { both: 0, aiOnly: 0, readerOnly: 0, neither: 0 })
  })

  it('counts a reader-added finding against every model that ran on the read', () => {
    const stats = computeReaderAgreement([read('r1', 'a', 'b')], [ai('r1', 'accepted', 'a'), added('r1')])
    assert.deepEqual(
      stats.map(({ modelId, reads, added, table }) => ({ modelId, reads, added, table })),
      [
        { modelId: 'a', reads: 1, added: 1, table: { both: 1, aiOnly: 0, readerOnly: 1, neither: 0 } },
        { modelId: 'b', reads: 1, added: 1, table: { both: 0, aiOnly: 0, readerOnly: 1, neither: 0 } },
      ],
    )
    closeTo(stats[0]!.sensitivity, 1 / 2)
    assert.equal(stats[1]!.sensitivity, 0)
  })

  it('keeps models apart: a read is both negative only for the model that proposed nothing there', () => {
    const stats = computeReaderAgreement([read('r1', 'a', 'b')], [ai('r1', 'rejected', 'a')])
    assert.deepEqual(
      stats.map(({ modelId, table }) => ({ modelId, table })),
      [
        { modelId: 'a', table: { both: 0, aiOnly: 1, readerOnly: 0, neither: 0 } },
        { modelId: 'b', table: { both: 0, aiOnly: 0, readerOnly: 0, neither: 1 } },
      ],
    )
  })

  it('counts a model that proposed on a read even if the read does not list it', () => {
    const stats = onlyModel(computeReaderAgreement([{ id: 'r1', modelIds: [] }], [ai('r1', 'accepted')]))
    assert.equal(stats.reads, 1)
    assert.equal(stats.accepted, 1)
  })

  it('ignores findings of reads that were not passed in (unsigned reads)', () => {
    const stats = onlyModel(computeReaderAgreement([read('signed')], [ai('signed', 'accepted'), ai('open', 'rejected'), added('open')]))
    assert.deepEqual(stats.table, { both: 1, aiOnly: 0, readerOnly: 0, neither: 0 })
  })

  it('returns nothing for no reads', () => {
    assert.deepEqual(computeReaderAgreement([], [ai('r1', 'accepted')]), [])
  })

  it("rejects an AI finding with status 'added' as inconsistent data", () => {
    assert.throws(() => computeReaderAgreement([read('r1')], [ai('r1', 'added')]), /cannot have status 'added'/)
  })
})
