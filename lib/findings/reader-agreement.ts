import { exhaustiveSwitchError } from '../errors'

// AI-versus-reader agreement, per model, over signed reads. Pure: the caller loads the
// reads and findings (signed reads only) and this module counts.
//
// Definitions (what an auditor reads):
//
// - reads: the reads on which the model ran (listed in AgreementRead.modelIds, or the
//   model proposed a finding there).
// - aiFindings: the model's findings on those reads, in every status, pending included.
// - accepted / modified / rejected: the reader's decision on an AI finding.
//   pending: an AI finding still 'proposed' (no decision). Pending findings count in
//   aiFindings only: they are left out of every rate and of the 2x2 table.
// - added: reader findings (the AI missed them). A reader finding counts against every
//   model that ran on its read, since each of them failed to propose it.
// - An AI finding without a model id cannot be attributed and is left out. Findings of
//   reads not passed in are ignored.
// - acceptanceRate, modificationRate, rejectionRate: accepted, modified and rejected over
//   the decided AI findings (accepted + modified + rejected); null when none was decided.
// - sensitivity of the AI against the final (signed) read:
//   (accepted + modified) / (accepted + modified + added); null when the denominator is 0.
// - table: the 2x2 table of AI positive/negative against reader positive/negative. Its
//   units are:
//     both       an AI finding the reader accepted or modified (AI +, reader +)
//     aiOnly     an AI finding the reader rejected             (AI +, reader -)
//     readerOnly a reader-added finding                        (AI -, reader +)
//     neither    a read where the model ran, proposed nothing and the reader added
//                nothing                                       (AI -, reader -)
// - kappa: Cohen's kappa on that table, (po - pe) / (1 - pe), where po is the observed
//   agreement (both + neither) / n and pe the agreement expected by chance from the
//   margins; null when n = 0 or pe = 1 (every unit in one cell of agreement).

export type AgreementFindingStatus = 'accepted' | 'modified' | 'rejected' | 'added' | 'proposed'

export interface AgreementFinding {
  readId: string
  origin: 'ai' | 'reader'
  status: AgreementFindingStatus
  /** The model that proposed an AI finding; null for reader findings. */
  modelId: string | null
}

export interface AgreementRead {
  id: string
  /** The models that ran on (or proposed in) this read. */
  modelIds: string[]
}

export interface AgreementTable {
  both: number
  aiOnly: number
  readerOnly: number
  neither: number
}

export interface ModelAgreement {
  modelId: string
  reads: number
  aiFindings: number
  accepted: number
  modified: number
  rejected: number
  pending: number
  added: number
  acceptanceRate: number | null
  modificationRate: number | null
  rejectionRate: number | null
  sensitivity: number | null
  kappa: number | null
  table: AgreementTable
}

type Tally = Pick<ModelAgreement, 'reads' | 'aiFindings' | 'accepted' | 'modified' | 'rejected' | 'pending' | 'added'> & {
  bothNegativeReads: number
}

/** Cohen's kappa of a 2x2 agreement table; null when it is undefined (n = 0 or pe = 1). */
export function cohensKappa(table: AgreementTable): number | null {
  const n = table.both + table.aiOnly + table.readerOnly + table.neither
  if (n === 0) return null
  const aiPositive = table.both + table.aiOnly
  const readerPositive = table.both + table.readerOnly
  const observed = (table.both + table.neither) / n
  const expected = (aiPositive * readerPositive + (n - aiPositive) * (n - readerPositive)) / (n * n)
  if (expected === 1) return null
  return (observed - expected) / (1 - expected)
}

/** Agreement statistics per model, sorted by model id. Pass signed reads only. */
export function computeReaderAgreement(reads: AgreementRead[], findings: AgreementFinding[]): ModelAgreement[] {
  const findingsByRead = groupByRead(findings)
  const tallies = new Map<string, Tally>()
  for (const read of reads) {
    tallyRead(read, findingsByRead.get(read.id) ?? [], tallies)
  }
  return [...tallies.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([modelId, tally]) => toModelAgreement(modelId, tally))
}

function groupByRead(findings: AgreementFinding[]): Map<string, AgreementFinding[]> {
  const byRead = new Map<string, AgreementFinding[]>()
  for (const finding of findings) {
    const list = byRead.get(finding.readId)
    if (list) list.push(finding)
    else byRead.set(finding.readId, [finding])
  }
  return byRead
}

function tallyRead(read: AgreementRead, findings: AgreementFinding[], tallies: Map<string, Tally>): void {
  const aiFindings = findings.filter(isAttributedAiFinding)
  const added = findings.filter((finding) => finding.origin === 'reader').length
  // A model that proposed here ran here, even if the caller's list omits it.
  const modelIds = new Set([...read.modelIds, ...aiFindings.map((finding) => finding.modelId)])
  for (const modelId of modelIds) {
    const tally = tallyFor(tallies, modelId)
    const proposed = aiFindings.filter((finding) => finding.modelId === modelId)
    tally.reads += 1
    tally.added += added
    for (const finding of proposed) countAiDecision(tally, finding.status)
    if (proposed.length === 0 && added === 0) tally.bothNegativeReads += 1
  }
}

function isAttributedAiFinding(finding: AgreementFinding): finding is AgreementFinding & { modelId: string } {
  return finding.origin === 'ai' && finding.modelId !== null
}

function tallyFor(tallies: Map<string, Tally>, modelId: string): Tally {
  let tally = tallies.get(modelId)
  if (!tally) {
    tally = { reads: 0, aiFindings: 0, accepted: 0, modified: 0, rejected: 0, pending: 0, added: 0, bothNegativeReads: 0 }
    tallies.set(modelId, tally)
  }
  return tally
}

function countAiDecision(tally: Tally, status: AgreementFindingStatus): void {
  tally.aiFindings += 1
  switch (status) {
    case 'accepted':
    case 'modified':
    case 'rejected':
      tally[status] += 1
      return
    case 'proposed':
      tally.pending += 1
      return
    case 'added':
      // 'added' marks a reader's finding; on an AI finding the data is inconsistent.
      throw new Error("reader-agreement: an AI finding cannot have status 'added'")
    default:
      exhaustiveSwitchError(status)
  }
}

function toModelAgreement(modelId: string, tally: Tally): ModelAgreement {
  const { bothNegativeReads, ...counts } = tally
  const decided = tally.accepted + tally.modified + tally.rejected
  const confirmed = tally.accepted + tally.modified
  const table: AgreementTable = { both: confirmed, aiOnly: tally.rejected, readerOnly: tally.added, neither: bothNegativeReads }
  return {
    modelId,
    ...counts,
    acceptanceRate: ratio(tally.accepted, decided),
    modificationRate: ratio(tally.modified, decided),
    rejectionRate: ratio(tally.rejected, decided),
    sensitivity: ratio(confirmed, confirmed + tally.added),
    kappa: cohensKappa(table),
    table,
  }
}

function ratio(numerator: number, denominator: number): number | null {
  return denominator === 0 ? null : numerator / denominator
}
