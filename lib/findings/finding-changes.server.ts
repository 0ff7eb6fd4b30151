import 'server-only'
import { appendAudit, appendAudits } from '../audit/append.server'
import type { SessionUser } from '../auth/session-user'
import type { Db } from '../db/client.server'
import type { Finding } from '../db/generated/sqlite/client'
import { AppError } from '../errors'
import { assertWritable, auditContext, findingReference, loadReadForUpdate, readReference, toReadDto, type ReadRow } from './read-rows.server'
import type { FindingDecision, FindingProposal, ReaderFinding } from './schema'
import type { ReadDto } from './types'

// The findings of an open read: the AI's proposals, the reader's own findings and the
// reader's decisions. Each change locks the read, checks it is the reader's own open read
// and writes its audit event in the same transaction; the answer is the read as that
// transaction committed it: the locked rows with the change applied, not read again.

/** The next finding's ordinal: the locked read holds all its findings, in ordinal order. */
function nextOrdinal(read: ReadRow): number {
  return (read.findings.at(-1)?.ordinal ?? 0) + 1
}

/** The locked read with a finding added or replaced (an open read has no signature to verify). */
function withFindings(read: ReadRow, added: readonly Finding[], replaced?: Finding): ReadRow {
  const findings = read.findings.map((finding) => (finding.id === replaced?.id ? replaced : finding))
  return { ...read, findings: [...findings, ...added] }
}

/** The AI's findings from one run (possibly none), proposed for the reader's decision. */
export async function proposeFindings(db: Db, user: SessionUser, sourceIp: string | null, readId: string, input: FindingProposal): Promise<ReadDto> {
  const changed = await db.$transaction(async (tx) => {
    const read = await loadReadForUpdate(tx, readId)
    assertWritable(read, user)
    await tx.modelRun.create({
      data: {
        readId,
        modelId: input.model.id,
        modelVersion: input.model.version,
        modelSha256: input.model.sha256,
        executionProvider: input.executionProvider,
        findingCount: input.findings.length,
      },
    })
    const first = nextOrdinal(read)
    const created = input.findings.length
      ? await tx.finding.createManyAndReturn({
          data: input.findings.map((proposal, index) => {
            const location = JSON.stringify(proposal.location)
            return {
              readId,
              ordinal: first + index,
              origin: 'ai',
              status: 'proposed',
              label: proposal.label,
              location,
              measurementMm: proposal.measurementMm,
              probability: proposal.probability,
              modelId: input.model.id,
              modelVersion: input.model.version,
              modelSha256: input.model.sha256,
              executionProvider: input.executionProvider,
              explanationMethod: input.explanationMethod,
              aiLabel: proposal.label,
              aiLocation: location,
              aiMeasurementMm: proposal.measurementMm,
            }
          }),
        })
      : []
    // RETURNING does not promise the input's order: the ordinal gives it back.
    const findings = created.sort((a, b) => a.ordinal - b.ordinal)
    await appendAudits(
      tx,
      [
        { type: 'model-result-recorded', read: readReference(read), model: input.model, executionProvider: input.executionProvider, findingCount: input.findings.length },
        ...findings.map((finding, index) => ({
          type: 'finding-proposed' as const,
          finding: findingReference(read, finding),
          model: input.model,
          probability: input.findings[index]!.probability,
          executionProvider: input.executionProvider,
          explanationMethod: input.explanationMethod,
        })),
      ],
      auditContext(user, sourceIp),
    )
    return withFindings(read, findings)
  })
  return toReadDto(changed)
}

/** A finding the reader adds: one the AI missed. */
export async function addReaderFinding(db: Db, user: SessionUser, sourceIp: string | null, readId: string, input: ReaderFinding): Promise<ReadDto> {
  const changed = await db.$transaction(async (tx) => {
    const read = await loadReadForUpdate(tx, readId)
    assertWritable(read, user)
    const finding = await tx.finding.create({
      data: {
        readId,
        ordinal: nextOrdinal(read),
        origin: 'reader',
        status: 'added',
        label: input.label,
        location: JSON.stringify(input.location),
        measurementMm: input.measurementMm,
        note: input.note,
        decidedById: user.id,
        decidedByName: user.displayName,
        decidedAt: new Date(),
      },
    })
    await appendAudit(tx, { type: 'finding-added', finding: findingReference(read, finding) }, auditContext(user, sourceIp))
    return withFindings(read, [finding])
  })
  return toReadDto(changed)
}

function describeFinding(finding: Pick<Finding, 'label' | 'measurementMm'>): string {
  return finding.measurementMm === null ? finding.label : `${finding.label}, ${finding.measurementMm.toFixed(1)} mm`
}

/** The reader's decision on a finding. Decisions can change until the read is signed; each is audited. */
export async function decideFinding(db: Db, user: SessionUser, sourceIp: string | null, readId: string, findingId: string, decision: FindingDecision): Promise<ReadDto> {
  const changed = await db.$transaction(async (tx) => {
    const read = await loadReadForUpdate(tx, readId)
    assertWritable(read, user)
    const finding = read.findings.find((candidate) => candidate.id === findingId)
    if (!finding) throw new AppError('not_found', 'findings', 'No such finding in this read.')
    const decided = { decidedById: user.id, decidedByName: user.displayName, decidedAt: new Date() }
    const context = auditContext(user, sourceIp)
    if (decision.action !== 'modify' && finding.origin !== 'ai') {
      throw new AppError('bad_request', 'findings', 'Only AI findings are accepted or rejected; edit your own findings instead.')
    }
    switch (decision.action) {
      case 'accept': {
        // Accepting restores the AI's finding as proposed (undoing an earlier modification).
        const updated = await tx.finding.update({
          where: { id: findingId },
          data: { status: 'accepted', label: finding.aiLabel!, location: finding.aiLocation!, measurementMm: finding.aiMeasurementMm, rejectReason: null, note: null, ...decided },
        })
        await appendAudit(tx, { type: 'finding-accepted', finding: findingReference(read, updated) }, context)
        return withFindings(read, [], updated)
      }
      case 'reject': {
        const updated = await tx.finding.update({ where: { id: findingId }, data: { status: 'rejected', rejectReason: decision.reason, note: decision.note, ...decided } })
        await appendAudit(tx, { type: 'finding-rejected', finding: findingReference(read, updated), reason: decision.reason, note: decision.note }, context)
        return withFindings(read, [], updated)
      }
      case 'modify': {
        const changes = {
          ...(decision.label !== undefined && decision.label !== finding.label ? { label: decision.label } : {}),
          ...(decision.location !== undefined ? { location: JSON.stringify(decision.location) } : {}),
          ...(decision.measurementMm !== undefined && decision.measurementMm !== finding.measurementMm ? { measurementMm: decision.measurementMm } : {}),
          ...(decision.note !== undefined ? { note: decision.note } : {}),
        }
        const fields = Object.keys(changes)
        if (fields.length === 0) throw new AppError('bad_request', 'findings', 'Nothing to modify: change the label, location or measurement.')
        const updated = await tx.finding.update({
          where: { id: findingId },
          data: { ...changes, status: finding.origin === 'ai' ? 'modified' : 'added', rejectReason: null, ...decided },
        })
        await appendAudit(tx, { type: 'finding-modified', finding: findingReference(read, updated), changed: fields, from: describeFinding(finding) }, context)
        return withFindings(read, [], updated)
      }
    }
  })
  return toReadDto(changed)
}
