import 'server-only'
import { appendAudit } from '../audit/append.server'
import { hashIdentifier } from '../audit/identifiers.server'
import type { SessionUser } from '../auth/session-user'
import type { Db } from '../db/client.server'
import { AppError } from '../errors'
import { getProject } from './projects.server'
import { auditContext, labelSchemaOf, manageableProject, projectReference, type ProjectRow, type TaskRow } from './project-rows.server'
import type { AgreementInput, ConsensusBody, ProjectDto } from './schema'

// Agreement and consensus are computed in the browser of whoever manages the project, from
// the submitted SEGs it fetched from the PACS or opened from disk; only the numbers and the
// consensus SEG's identity arrive here. The first agreement recorded lifts the blinding.

type SubmittedTask = TaskRow & { submission: NonNullable<TaskRow['submission']> }

function submittedTask(row: ProjectRow, submissionId: string, studyId: string): SubmittedTask {
  const task = row.tasks.find((candidate) => candidate.submission?.id === submissionId)
  if (!task || task.studyId !== studyId) throw new AppError('bad_request', 'projects', `Submission ${submissionId} is not one of this study's in this project.`)
  return task as SubmittedTask
}

export async function recordAgreement(db: Db, user: SessionUser, sourceIp: string | null, projectId: string, records: AgreementInput[]): Promise<ProjectDto> {
  await db.$transaction(async (tx) => {
    const row = await manageableProject(tx, user, projectId)
    const numbers = new Set(labelSchemaOf(row).segments.map((segment) => segment.number))
    const computedAt = new Date()
    const data = records.map((record) => {
      const study = row.studies.find((candidate) => candidate.id === record.studyId)
      if (!study) throw new AppError('bad_request', 'projects', `Study ${record.studyId} is not in this project.`)
      if (!numbers.has(record.segmentNumber)) throw new AppError('bad_request', 'projects', `Segment ${record.segmentNumber} is not in the project's label schema.`)
      const a = submittedTask(row, record.submissionAId, study.id)
      const b = submittedTask(row, record.submissionBId, study.id)
      if (a.annotatorId === b.annotatorId) throw new AppError('bad_request', 'projects', "Agreement is between two annotators: both submissions are one annotator's.")
      const { studyId, segmentNumber, submissionAId, submissionBId, ...figures } = record
      return {
        projectId,
        studyId,
        segmentNumber,
        submissionAId,
        submissionBId,
        annotatorAId: a.annotatorId,
        annotatorBId: b.annotatorId,
        ...figures,
        computedById: user.id,
        computedAt,
      }
    })
    await tx.agreementRecord.createMany({ data })
    if (row.unblindedAt === null) await tx.annotationProject.update({ where: { id: projectId }, data: { unblindedAt: computedAt } })
    const studyIds = new Set(records.map((record) => record.studyId))
    await appendAudit(
      tx,
      {
        type: 'agreement-computed',
        project: projectReference(row),
        recordCount: records.length,
        studyUidHashes: row.studies.filter((study) => studyIds.has(study.id)).map((study) => hashIdentifier(study.studyInstanceUid)),
        segmentNumbers: [...new Set(records.map((record) => record.segmentNumber))].sort((x, y) => x - y),
      },
      auditContext(user, sourceIp),
    )
  })
  return getProject(db, user, projectId)
}

/** Records a consensus made from two or more of a study's submissions, and the SEG it was written to (downloaded or stored to the study's PACS). */
export async function recordConsensus(db: Db, user: SessionUser, sourceIp: string | null, projectId: string, body: ConsensusBody): Promise<ProjectDto> {
  await db.$transaction(async (tx) => {
    const row = await manageableProject(tx, user, projectId)
    const study = row.studies.find((candidate) => candidate.id === body.studyId)
    if (!study) throw new AppError('bad_request', 'projects', `Study ${body.studyId} is not in this project.`)
    const ids = [...new Set(body.submissionIds)]
    if (ids.length < 2) throw new AppError('bad_request', 'projects', 'A consensus is made from two submissions or more.')
    for (const id of ids) submittedTask(row, id, study.id)
    if (body.storedAt === 'pacs' && body.pacsId !== study.pacsId) throw new AppError('bad_request', 'projects', 'A SEG is stored only to the PACS its study is on.')
    await tx.consensusRecord.create({
      data: {
        projectId,
        studyId: study.id,
        method: body.method,
        submissionIds: JSON.stringify(ids),
        segSopInstanceUid: body.segSopInstanceUid,
        segSha256: body.segSha256,
        storedAt: body.storedAt,
        pacsId: body.pacsId,
        computedById: user.id,
        computedAt: new Date(),
      },
    })
    const project = projectReference(row)
    const studyUidHash = hashIdentifier(study.studyInstanceUid)
    const segUidHash = hashIdentifier(body.segSopInstanceUid)
    const context = auditContext(user, sourceIp)
    await appendAudit(tx, { type: 'consensus-made', project, studyUidHash, method: body.method, submissionCount: ids.length, segUidHash, segSha256: body.segSha256 }, context)
    await appendAudit(
      tx,
      {
        type: 'annotation-seg-exported',
        project,
        studyUidHash,
        segUidHash,
        segSha256: body.segSha256,
        kind: 'consensus',
        destination: body.storedAt,
        ...(body.pacsId ? { pacsId: body.pacsId } : {}),
      },
      context,
    )
  })
  return getProject(db, user, projectId)
}
