import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { agreementMatrix, diceHistogram, studyRows, studyRowsCsv } from './dashboard-figures'
import type { AgreementDto, ProjectDto } from './schema'

const annotator = (userId: string, role: 'annotator' | 'manager' = 'annotator') => ({
  userId,
  displayName: userId.toUpperCase(),
  role,
  addedAt: '',
  open: 0,
  inProgress: 0,
  submitted: 0,
})
const record = (studyId: string, a: string, b: string, dice: number, hd95Mm: number | null = 1): AgreementDto => ({
  id: `${studyId}-${a}-${b}-${dice}`,
  studyId,
  segmentNumber: 1,
  annotatorA: { id: a, name: a },
  annotatorB: { id: b, name: b },
  submissionAId: 'sa',
  submissionBId: 'sb',
  dice,
  jaccard: dice / (2 - dice),
  hd95Mm,
  assdMm: hd95Mm,
  volumeDifferenceMl: 0,
  computedBy: 'owner',
  computedAt: '',
})
const task = (status: 'open' | 'submitted') => ({ id: status, annotator: { id: 'x', name: 'x' }, status, openedAt: null, submittedAt: null, submission: null })
const study = (id: string, description: string, tasks: ReturnType<typeof task>[]) => ({
  id,
  studyInstanceUid: `1.2.${id.length}`,
  studyDescription: description,
  pacsId: null,
  queueScore: null,
  addedAt: '',
  tasks,
})

describe('dashboard figures', () => {
  it('averages Dice per annotator pair, symmetric, managers left out, gaps null', () => {
    const matrix = agreementMatrix({
      annotators: [annotator('a'), annotator('b'), annotator('c'), annotator('m', 'manager')],
      agreements: [record('s1', 'a', 'b', 0.8), record('s2', 'b', 'a', 0.6)],
    })
    assert.deepEqual(
      matrix.annotators.map((entry) => entry.id),
      ['a', 'b', 'c'],
    )
    assert.ok(Math.abs(matrix.dice[0]![1]! - 0.7) < 1e-12)
    assert.equal(matrix.dice[1]![0], matrix.dice[0]![1])
    assert.deepEqual([matrix.dice[0]![0], matrix.dice[0]![2], matrix.counts[0]![1]], [1, null, 2])
  })

  it('bins Dice over [0, 1], 1 in the last bin', () => {
    assert.deepEqual(diceHistogram([0, 0.05, 0.55, 0.99, 1], 10), [2, 0, 0, 0, 0, 1, 0, 0, 0, 2])
  })

  it('tabulates studies and writes CSV that quotes and defuses formulas', () => {
    const project = {
      studies: [study('s1', '=HYPERLINK("x")', [task('submitted'), task('open')]), study('s2', 'Chest, CT', [])],
      agreements: [record('s1', 'a', 'b', 0.9, null), record('s1', 'a', 'c', 0.7, 2)],
      consensus: [],
    } satisfies Pick<ProjectDto, 'studies' | 'agreements' | 'consensus'>
    const rows = studyRows(project)
    assert.deepEqual([rows[0]!.submitted, rows[0]!.tasks, rows[0]!.meanHd95Mm, rows[1]!.meanDice], [1, 2, 2, null])
    assert.ok(Math.abs(rows[0]!.meanDice! - 0.8) < 1e-12)
    const lines = studyRowsCsv(rows).split('\r\n')
    assert.equal(lines[0], 'studyInstanceUid,studyDescription,queueScore,submitted,tasks,meanDice,meanHd95Mm,meanAssdMm,consensus')
    assert.ok(lines[1]!.startsWith(`1.2.2,"'=HYPERLINK(""x"")",,1,2,0.8`))
    assert.equal(lines[2], '1.2.2,"Chest, CT",,0,0,,,,false')
  })
})
