import 'server-only'
import type { Db } from '../db/client.server'
import { computeReaderAgreement, type AgreementFinding, type ModelAgreement } from './reader-agreement'
import { isDiscordant, rejectReasons, type FindingDto, type RejectReason } from './types'

// The auditor's view of AI against readers: per model version statistics over the final
// reads (signed, and not replaced by a signed amendment), and the list of findings where
// they disagreed. A model counts on a read when its result was recorded there, findings or
// none, so its negative calls count too.

/** Statistics are kept per model version: `${id}@${version}`. */
export const modelKey = (id: string, version: string) => `${id}@${version}`

export interface DiscordantFinding {
  readId: string
  readVersion: number
  studyInstanceUid: string
  studyDescription: string
  reader: string
  signedAt: string
  ordinal: number
  label: string
  kind: 'rejected-ai' | 'reader-added'
  modelId: string | null
  modelVersion: string | null
  probability: number | null
  reason: string | null
  note: string | null
}

export interface ReaderAgreementReport {
  reads: number
  models: ModelAgreement[]
  discordant: DiscordantFinding[]
}

export async function readerAgreementReport(db: Db): Promise<ReaderAgreementReport> {
  const reads = await db.read.findMany({
    where: { status: 'signed', purpose: 'clinical', OR: [{ amendedBy: { is: null } }, { amendedBy: { is: { status: { not: 'signed' } } } }] },
    include: { findings: { orderBy: { ordinal: 'asc' } }, modelRuns: true, signature: { select: { signedAt: true } } },
    orderBy: { createdAt: 'desc' },
  })
  const findings: AgreementFinding[] = reads.flatMap((read) =>
    read.findings.map((finding) => ({
      readId: read.id,
      origin: finding.origin as 'ai' | 'reader',
      status: finding.status as AgreementFinding['status'],
      modelId: finding.modelId && finding.modelVersion ? modelKey(finding.modelId, finding.modelVersion) : null,
    })),
  )
  const models = computeReaderAgreement(
    reads.map((read) => ({ id: read.id, modelIds: [...new Set(read.modelRuns.map((run) => modelKey(run.modelId, run.modelVersion)))] })),
    findings,
  )
  const discordant = reads.flatMap((read) =>
    read.findings
      .filter((finding) => isDiscordant(finding as Pick<FindingDto, 'origin' | 'status'>))
      .map((finding): DiscordantFinding => ({
        readId: read.id,
        readVersion: read.version,
        studyInstanceUid: read.studyInstanceUid,
        studyDescription: read.studyDescription,
        reader: read.readerName,
        signedAt: read.signature?.signedAt.toISOString() ?? '',
        ordinal: finding.ordinal,
        label: finding.label,
        kind: finding.origin === 'reader' ? 'reader-added' : 'rejected-ai',
        modelId: finding.modelId,
        modelVersion: finding.modelVersion,
        probability: finding.probability,
        reason: finding.rejectReason ? (rejectReasons[finding.rejectReason as RejectReason] ?? finding.rejectReason) : null,
        note: finding.note,
      })),
  )
  return { reads: reads.length, models, discordant }
}
