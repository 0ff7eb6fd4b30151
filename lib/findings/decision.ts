import type { FindingLabel, FindingLocation, RejectReason } from './types'

/** A reader's decision on a finding, as the API takes it. */
export type FindingDecision =
  | { action: 'accept' }
  | { action: 'reject'; reason: RejectReason; note: string | null }
  | { action: 'modify'; label?: FindingLabel; location?: FindingLocation; measurementMm?: number | null; note?: string | null }
