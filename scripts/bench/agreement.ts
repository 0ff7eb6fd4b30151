// Agreement on a CT-sized grid (512×512×275, 0.7 × 0.7 × 1.25 mm): compareMasks on two
// overlapping liver-sized spheroids, and a three-rater consensus, each against a plain
// voxel pass over the same masks measured in the same run (Dice alone; majority vote).
import { performance } from 'node:perf_hooks'
import { compareMasks, diceOnly, type MaskComparison } from '../../lib/agreement/compare-masks'
import { consensus } from '../../lib/agreement/consensus'
import { ellipsoidMask, type Grid } from '../../tests/support/agreement-masks'

export interface AgreementBenchResult {
  grid: Grid
  voxelsA: number
  voxelsB: number
  runs: number
  /** Medians over the runs. */
  compareMs: number
  diceOnlyMs: number
  stapleMs: number
  majorityMs: number
  figures: MaskComparison
}

const medianOf = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!
const timed = (run: () => unknown) => {
  const started = performance.now()
  run()
  return performance.now() - started
}

export function measureAgreement(runs: number): AgreementBenchResult {
  const grid: Grid = { columns: 512, rows: 512, slices: 275, spacing: [0.7, 0.7, 1.25] }
  const a = ellipsoidMask(grid, [250, 260, 140], [80, 65, 70])
  const b = ellipsoidMask(grid, [257, 252, 146], [76, 68, 64])
  const c = ellipsoidMask(grid, [246, 262, 136], [83, 63, 72])
  const figures = compareMasks(a, b)
  // Warm-up (JIT) for the baselines too, then alternate so that drift hits both alike.
  diceOnly(a, b)
  consensus([a, b, c], 'majority')
  const compare: number[] = []
  const dice: number[] = []
  const staple: number[] = []
  const majority: number[] = []
  for (let run = 0; run < runs; run += 1) {
    compare.push(timed(() => compareMasks(a, b)))
    dice.push(timed(() => diceOnly(a, b)))
    staple.push(timed(() => consensus([a, b, c], 'staple')))
    majority.push(timed(() => consensus([a, b, c], 'majority')))
  }
  return {
    grid,
    voxelsA: figures.voxelsA,
    voxelsB: figures.voxelsB,
    runs,
    compareMs: medianOf(compare),
    diceOnlyMs: medianOf(dice),
    stapleMs: medianOf(staple),
    majorityMs: medianOf(majority),
    figures,
  }
}
