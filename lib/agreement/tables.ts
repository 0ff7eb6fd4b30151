// From annotators' masks to the numbers-only agreement record of a study (computed in the
// browser), and from records to what the dashboard draws: the per-segment and per-study
// tables and the pairwise matrix. Plain data in, plain data out.
import { compareMasks, diceOnly } from './compare-masks'
import { consensus, type Consensus, type ConsensusMethod } from './consensus'
import { countVoxels, emptyMaskLike, voxelMl, type MaskVolume } from './mask-volume'
import type { AgreementMetric, AgreementRecord, ConsensusSummary, PairAgreement } from './schema'

/** One annotator's submission on a study: the SEG it came from, and one mask per segment key of the label schema. */
export interface AnnotatorMasks {
  annotator: string
  segInstanceUid: string
  masks: ReadonlyMap<string, MaskVolume>
}

export interface StudyAgreementInput {
  projectId: string
  studyInstanceUid: string
  seriesInstanceUid: string
  /** The label schema's segment keys, in display order. */
  segmentKeys: readonly string[]
  annotators: readonly AnnotatorMasks[]
  /** Also build a consensus per segment (for export as SEG); its figures go in the record. */
  consensus?: ConsensusMethod
  computedAt?: Date
}

export interface StudyAgreement {
  record: AgreementRecord
  /** Per segment key, when a consensus was asked for and some annotator has a mask for it. */
  consensus: Map<string, Consensus & { grid: MaskVolume }>
}

/**
 * The masks of a segment, one per annotator; an annotator without one (a segment left out
 * of its SEG) gets an empty mask on the others' grid. Null when nobody has one.
 */
function segmentMasks(annotators: readonly AnnotatorMasks[], key: string): MaskVolume[] | null {
  const like = annotators.map((annotator) => annotator.masks.get(key)).find((mask) => mask !== undefined)
  if (!like) return null
  return annotators.map((annotator) => annotator.masks.get(key) ?? emptyMaskLike(like))
}

/** Agreement of one segment between two annotators. */
export function pairAgreement(segmentKey: string, a: { annotator: string; segInstanceUid: string; mask: MaskVolume }, b: typeof a): PairAgreement {
  const figures = compareMasks(a.mask, b.mask)
  return {
    segmentKey,
    annotatorA: a.annotator,
    annotatorB: b.annotator,
    segInstanceUidA: a.segInstanceUid,
    segInstanceUidB: b.segInstanceUid,
    dice: figures.dice,
    jaccard: figures.jaccard,
    hd95Mm: figures.hd95Mm,
    assdMm: figures.assdMm,
    volumeAMl: figures.volumeAMl,
    volumeBMl: figures.volumeBMl,
    volumeDifferenceMl: figures.volumeDifferenceMl,
  }
}

/** Every segment × every annotator pair (in input order) of one study, and the consensus where asked for. */
export function studyAgreement(input: StudyAgreementInput): StudyAgreement {
  const { annotators } = input
  const pairs: PairAgreement[] = []
  const summaries: ConsensusSummary[] = []
  const consensusMasks = new Map<string, Consensus & { grid: MaskVolume }>()
  for (const key of input.segmentKeys) {
    const masks = segmentMasks(annotators, key)
    for (let i = 0; i < annotators.length; i += 1) {
      for (let j = i + 1; j < annotators.length; j += 1) {
        const [a, b] = [annotators[i]!, annotators[j]!]
        if (masks) pairs.push(pairAgreement(key, { ...a, mask: masks[i]! }, { ...b, mask: masks[j]! }))
        // Nobody drew this segment: both empty, by definition full agreement.
        else pairs.push({ segmentKey: key, annotatorA: a.annotator, annotatorB: b.annotator, segInstanceUidA: a.segInstanceUid, segInstanceUidB: b.segInstanceUid, ...bothEmpty })
      }
    }
    if (input.consensus && masks) {
      const made = consensus(masks, input.consensus)
      const grid = { ...masks[0]!, data: made.mask }
      consensusMasks.set(key, { ...made, grid })
      summaries.push({
        segmentKey: key,
        method: made.method,
        requested: made.requested,
        volumeMl: countVoxels(made.mask) * voxelMl(grid),
        raters: annotators.map((annotator, index) => ({
          annotator: annotator.annotator,
          diceToConsensus: diceOnly(masks[index]!, grid),
          sensitivity: made.staple?.sensitivity[index] ?? null,
          specificity: made.staple?.specificity[index] ?? null,
        })),
      })
    }
  }
  const record: AgreementRecord = {
    projectId: input.projectId,
    studyInstanceUid: input.studyInstanceUid,
    seriesInstanceUid: input.seriesInstanceUid,
    computedAt: (input.computedAt ?? new Date()).toISOString(),
    pairs,
    consensus: summaries,
  }
  return { record, consensus: consensusMasks }
}

const bothEmpty = { dice: 1, jaccard: 1, hd95Mm: 0, assdMm: 0, volumeAMl: 0, volumeBMl: 0, volumeDifferenceMl: 0 } as const

/** A metric over many pairs: null values (a distance where one mask was empty) are counted apart. */
export interface MetricSummary {
  n: number
  nulls: number
  mean: number | null
  median: number | null
  min: number | null
  max: number | null
}

export function summariseMetric(values: readonly (number | null)[]): MetricSummary {
  const defined = values.filter((value): value is number => value !== null).sort((x, y) => x - y)
  const nulls = values.length - defined.length
  if (defined.length === 0) return { n: 0, nulls, mean: null, median: null, min: null, max: null }
  const middle = defined.length >> 1
  const median = defined.length % 2 === 1 ? defined[middle]! : (defined[middle - 1]! + defined[middle]!) / 2
  return { n: defined.length, nulls, mean: defined.reduce((sum, value) => sum + value, 0) / defined.length, median, min: defined[0]!, max: defined[defined.length - 1]! }
}

export type MetricSummaries = Record<AgreementMetric, MetricSummary>

function summaries(pairs: readonly PairAgreement[]): MetricSummaries {
  return {
    dice: summariseMetric(pairs.map((pair) => pair.dice)),
    jaccard: summariseMetric(pairs.map((pair) => pair.jaccard)),
    hd95Mm: summariseMetric(pairs.map((pair) => pair.hd95Mm)),
    assdMm: summariseMetric(pairs.map((pair) => pair.assdMm)),
    volumeDifferenceMl: summariseMetric(pairs.map((pair) => pair.volumeDifferenceMl)),
  }
}

export interface SegmentRow {
  segmentKey: string
  studies: number
  pairs: number
  metrics: MetricSummaries
}

/** Per segment, over every study and annotator pair; segments in first-seen order. */
export function segmentTable(records: readonly AgreementRecord[]): SegmentRow[] {
  const bySegment = new Map<string, { studies: Set<string>; pairs: PairAgreement[] }>()
  for (const record of records) {
    for (const pair of record.pairs) {
      const entry = bySegment.get(pair.segmentKey) ?? { studies: new Set(), pairs: [] }
      entry.studies.add(record.studyInstanceUid)
      entry.pairs.push(pair)
      bySegment.set(pair.segmentKey, entry)
    }
  }
  return [...bySegment].map(([segmentKey, entry]) => ({ segmentKey, studies: entry.studies.size, pairs: entry.pairs.length, metrics: summaries(entry.pairs) }))
}

export interface StudyRow {
  studyInstanceUid: string
  segmentKey: string
  annotators: string[]
  pairs: number
  metrics: MetricSummaries
}

/** Per study and segment, over its annotator pairs; in record order. */
export function studyTable(records: readonly AgreementRecord[]): StudyRow[] {
  const rows: StudyRow[] = []
  for (const record of records) {
    const keys = [...new Set(record.pairs.map((pair) => pair.segmentKey))]
    for (const segmentKey of keys) {
      const pairs = record.pairs.filter((pair) => pair.segmentKey === segmentKey)
      const annotators = [...new Set(pairs.flatMap((pair) => [pair.annotatorA, pair.annotatorB]))]
      rows.push({ studyInstanceUid: record.studyInstanceUid, segmentKey, annotators, pairs: pairs.length, metrics: summaries(pairs) })
    }
  }
  return rows
}

export interface AgreementMatrix {
  metric: AgreementMetric
  segmentKey: string | null
  /** Row and column order, first-seen. */
  annotators: string[]
  /** Symmetric; the diagonal is null (an annotator is not compared with itself). */
  cells: (MetricSummary | null)[][]
}

/** The pairwise matrix of one metric (the heat map), over every study, for one segment or all (segmentKey null). */
export function agreementMatrix(records: readonly AgreementRecord[], metric: AgreementMetric, segmentKey: string | null = null): AgreementMatrix {
  const pairs = records.flatMap((record) => record.pairs).filter((pair) => segmentKey === null || pair.segmentKey === segmentKey)
  const annotators = [...new Set(pairs.flatMap((pair) => [pair.annotatorA, pair.annotatorB]))]
  const position = new Map(annotators.map((annotator, index) => [annotator, index]))
  const values = annotators.map(() => annotators.map((): (number | null)[] => []))
  for (const pair of pairs) {
    const [a, b] = [position.get(pair.annotatorA)!, position.get(pair.annotatorB)!]
    values[a]![b]!.push(pair[metric])
    if (a !== b) values[b]![a]!.push(pair[metric])
  }
  const cells = values.map((row, a) => row.map((cell, b) => (a === b ? null : summariseMetric(cell))))
  return { metric, segmentKey, annotators, cells }
}
