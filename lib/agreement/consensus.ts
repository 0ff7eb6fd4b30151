// A consensus segmentation from several raters' binary masks: majority vote, or STAPLE
// (Warfield, Zou and Wells, IEEE TMI 23(7), 2004), binary, by expectation–maximisation.
import { AgreementError, checkSameGrid, forEachInBox, unionBox, type MaskVolume, type VoxelBox } from './mask-volume'

export type ConsensusMethod = 'staple' | 'majority'

export interface StapleEstimate {
  /** Per rater, in input order: estimated sensitivity p and specificity q. */
  sensitivity: number[]
  specificity: number[]
  /** The fixed global prior f(T = 1): the mean fraction of voxels the raters labelled. */
  prior: number
  iterations: number
  converged: boolean
}

export interface Consensus {
  mask: Uint8Array
  /** The method that made `mask` (majority where STAPLE was asked for and did not apply). */
  method: ConsensusMethod
  requested: ConsensusMethod
  /** User-facing notes, e.g. why STAPLE fell back to majority vote. */
  notes: string[]
  staple: StapleEstimate | null
}

/** STAPLE needs at least this many raters: with two, every disagreement is a tie the priors decide. */
export const STAPLE_MIN_RATERS = 3
/** Decision patterns are counted in a table of 2^raters entries. */
export const STAPLE_MAX_RATERS = 16
export const STAPLE_INITIAL_PQ = 0.99
export const STAPLE_TOLERANCE = 1e-8
export const STAPLE_MAX_ITERATIONS = 200
/** p and q are kept inside [ε, 1 − ε] so that no pattern's likelihood is 0 under both hypotheses. */
const EPSILON = 1e-12

/** A voxel is in the majority consensus when strictly more than half of the raters labelled it (a tie is out). */
export function majorityVote(masks: readonly MaskVolume[]): Uint8Array {
  const { columns, rows } = masks[0]!
  const out = new Uint8Array(masks[0]!.data.length)
  const box = unionBox(masks)
  if (!box) return out
  const datas = masks.map((mask) => mask.data)
  forEachInBox(box, columns, rows, (index) => {
    let votes = 0
    for (const data of datas) if (data[index] !== 0) votes += 1
    if (2 * votes > datas.length) out[index] = 1
  })
  return out
}

/** The decision pattern of a voxel: bit j set when rater j labelled it. */
function pattern(datas: readonly Uint8Array[], index: number): number {
  let bits = 0
  for (let j = 0; j < datas.length; j += 1) if (datas[j]![index] !== 0) bits |= 1 << j
  return bits
}

/** How many voxels show each decision pattern; every voxel outside the union's box has pattern 0. */
function patternCounts(masks: readonly MaskVolume[], box: VoxelBox): Float64Array {
  const counts = new Float64Array(1 << masks.length)
  const { columns, rows } = masks[0]!
  const datas = masks.map((mask) => mask.data)
  let inBox = 0
  forEachInBox(box, columns, rows, (index) => {
    const bits = pattern(datas, index)
    counts[bits] = counts[bits]! + 1
    inBox += 1
  })
  counts[0] = counts[0]! + datas[0]!.length - inBox
  return counts
}

/**
 * Binary STAPLE over every voxel of the grid. Voxels with the same decision pattern have
 * the same posterior, so EM runs on the 2^R pattern counts: exact, and independent of the
 * volume's size after one counting pass. Returns the posterior W per pattern.
 */
function stapleEstimate(masks: readonly MaskVolume[], box: VoxelBox): { estimate: StapleEstimate; posterior: Float64Array } {
  const raters = masks.length
  const counts = patternCounts(masks, box)
  const patterns = counts.length
  let total = 0
  let labelled = 0
  for (let m = 0; m < patterns; m += 1) {
    total += counts[m]!
    for (let j = 0; j < raters; j += 1) if (m & (1 << j)) labelled += counts[m]!
  }
  const prior = labelled / (raters * total)
  const p = new Array<number>(raters).fill(STAPLE_INITIAL_PQ)
  const q = new Array<number>(raters).fill(STAPLE_INITIAL_PQ)
  const posterior = new Float64Array(patterns)
  let iterations = 0
  let converged = false
  while (iterations < STAPLE_MAX_ITERATIONS && !converged) {
    iterations += 1
    // E-step: W = P(T = 1 | decisions, p, q).
    for (let m = 0; m < patterns; m += 1) {
      let a = prior
      let b = 1 - prior
      for (let j = 0; j < raters; j += 1) {
        if (m & (1 << j)) {
          a *= p[j]!
          b *= 1 - q[j]!
        } else {
          a *= 1 - p[j]!
          b *= q[j]!
        }
      }
      posterior[m] = a / (a + b)
    }
    // M-step: p_j = Σ W·D_j / Σ W, q_j = Σ (1 − W)(1 − D_j) / Σ (1 − W), weighted by the counts.
    let change = 0
    for (let j = 0; j < raters; j += 1) {
      let truePositive = 0
      let positive = 0
      let trueNegative = 0
      let negative = 0
      for (let m = 0; m < patterns; m += 1) {
        const w = posterior[m]! * counts[m]!
        const notW = (1 - posterior[m]!) * counts[m]!
        positive += w
        negative += notW
        if (m & (1 << j)) truePositive += w
        else trueNegative += notW
      }
      const nextP = Math.min(1 - EPSILON, Math.max(EPSILON, positive > 0 ? truePositive / positive : p[j]!))
      const nextQ = Math.min(1 - EPSILON, Math.max(EPSILON, negative > 0 ? trueNegative / negative : q[j]!))
      change = Math.max(change, Math.abs(nextP - p[j]!), Math.abs(nextQ - q[j]!))
      p[j] = nextP
      q[j] = nextQ
    }
    converged = change < STAPLE_TOLERANCE
  }
  return { estimate: { sensitivity: p, specificity: q, prior, iterations, converged }, posterior }
}

/** Why STAPLE does not apply to these masks (box: their union's, null when all are empty), or null when it does. */
function stapleUnfit(masks: readonly MaskVolume[], box: VoxelBox | null): string | null {
  if (masks.length < STAPLE_MIN_RATERS) return `STAPLE needs at least ${STAPLE_MIN_RATERS} annotators (here ${masks.length}); majority vote used instead.`
  if (masks.length > STAPLE_MAX_RATERS) return `STAPLE is limited to ${STAPLE_MAX_RATERS} annotators (here ${masks.length}); majority vote used instead.`
  if (!box) return 'Every annotator left this segment empty: the consensus is empty (majority vote).'
  return null
}

/** The consensus of masks on one grid (at least one). Throws AgreementError when the masks are not comparable. */
export function consensus(masks: readonly MaskVolume[], method: ConsensusMethod): Consensus {
  if (masks.length === 0) throw new AgreementError('A consensus needs at least one annotation.')
  for (const [index, mask] of masks.entries()) checkSameGrid(masks[0]!, mask, ['Annotation 1', `Annotation ${index + 1}`])
  if (method === 'majority') return { mask: majorityVote(masks), method, requested: method, notes: [], staple: null }
  const box = unionBox(masks)
  const unfit = stapleUnfit(masks, box)
  if (unfit || !box) return { mask: majorityVote(masks), method: 'majority', requested: method, notes: [unfit!], staple: null }
  const { estimate, posterior } = stapleEstimate(masks, box)
  const notes = estimate.converged ? [] : [`STAPLE did not converge in ${STAPLE_MAX_ITERATIONS} iterations; the last estimate is used.`]
  const { columns, rows } = masks[0]!
  const datas = masks.map((mask) => mask.data)
  // Outside the box every rater said no: pattern 0, whose posterior is (almost always) below 0.5.
  const mask = new Uint8Array(datas[0]!.length).fill(posterior[0]! > 0.5 ? 1 : 0)
  forEachInBox(box, columns, rows, (index) => {
    mask[index] = posterior[pattern(datas, index)]! > 0.5 ? 1 : 0
  })
  return { mask, method: 'staple', requested: method, notes, staple: estimate }
}
