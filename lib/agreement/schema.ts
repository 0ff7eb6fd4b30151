// The agreement record the browser sends to the server: figures and identifiers only.
// Every object is strict, so a record carrying anything else (a mask, a pixel array, a
// name) is refused rather than stored; the server parses with this same schema.
import { z } from 'zod'

const uid = z
  .string()
  .regex(/^[0-9]+(\.[0-9]+)*$/, 'a DICOM UID (digits and dots)')
  .max(64)
const id = z.string().min(1).max(64)
/** Distances are null where one mask is empty (no surface to measure to). */
const distanceMm = z.number().finite().nonnegative().nullable()
const fraction = z.number().finite().min(0).max(1)
const volumeMl = z.number().finite().nonnegative()

/** One segment, one pair of annotators, one study. */
export const pairAgreementSchema = z.strictObject({
  segmentKey: id,
  annotatorA: id,
  annotatorB: id,
  segInstanceUidA: uid,
  segInstanceUidB: uid,
  dice: fraction,
  jaccard: fraction,
  hd95Mm: distanceMm,
  assdMm: distanceMm,
  volumeAMl: volumeMl,
  volumeBMl: volumeMl,
  volumeDifferenceMl: volumeMl,
})
export type PairAgreement = z.infer<typeof pairAgreementSchema>

/** How one annotator's mask compares with the consensus, and STAPLE's estimate of them (null after majority vote). */
export const raterAgreementSchema = z.strictObject({
  annotator: id,
  diceToConsensus: fraction,
  sensitivity: fraction.nullable(),
  specificity: fraction.nullable(),
})
export type RaterAgreement = z.infer<typeof raterAgreementSchema>

export const consensusSummarySchema = z.strictObject({
  segmentKey: id,
  method: z.enum(['staple', 'majority']),
  requested: z.enum(['staple', 'majority']),
  volumeMl,
  raters: z.array(raterAgreementSchema).max(64),
})
export type ConsensusSummary = z.infer<typeof consensusSummarySchema>

export const agreementRecordSchema = z.strictObject({
  projectId: id,
  studyInstanceUid: uid,
  seriesInstanceUid: uid,
  computedAt: z.iso.datetime(),
  pairs: z.array(pairAgreementSchema).max(10_000),
  consensus: z.array(consensusSummarySchema).max(1000),
})
export type AgreementRecord = z.infer<typeof agreementRecordSchema>

export const agreementMetrics = ['dice', 'jaccard', 'hd95Mm', 'assdMm', 'volumeDifferenceMl'] as const
export type AgreementMetric = (typeof agreementMetrics)[number]
