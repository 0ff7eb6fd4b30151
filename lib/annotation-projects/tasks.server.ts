import 'server-only'
import { appendAudit } from '../audit/append.server'
import { hashIdentifier } from '../audit/identifiers.server'
import type { SessionUser } from '../auth/session-user'
import type { Db, Tx } from '../db/client.server'
import { AppError } from '../errors'
import { auditContext, labelSchemaOf, lockProject, projectReference, statusOf, toQueueEntryDto, visibleProject, type ProjectRow, type TaskRow } from './project-rows.server'
import type { AnnotationSessionDto, QueueEntryDto, QueueOrder, SubmissionBody } from './schema'

// An annotator's side of a project: their queue, opening a study to annotate (DICOM
// Instances Accessed, 110103) and submitting. A submission records the SEG's UID, SHA-256
// and where it went, and the figures: the mask itself never reaches the server.

/** The project and the user's own task in it, or 404: a task is only ever its annotator's. */
async function ownTask(db: Db | Tx, user: SessionUser, projectId: string, taskId: string): Promise<{ row: ProjectRow; task: TaskRow }> {
  const { row } = await visibleProject(db, user, projectId)
  const task = row.tasks.find((candidate) => candidate.id === taskId && candidate.annotatorId === user.id)
  if (!task) throw new AppError('not_found', 'projects', 'No such task in your queue.')
  return { row, task }
}

/**
 * The user's tasks in a project: in the order studies were added, or by the model's
 * uncertainty (highest first, unscored studies last). Submitted tasks stay, marked so.
 */
export async function annotatorQueue(db: Db, user: SessionUser, projectId: string, order: QueueOrder): Promise<QueueEntryDto[]> {
  const { row } = await visibleProject(db, user, projectId)
  const entries = row.tasks.filter((task) => task.annotatorId === user.id).map((task) => toQueueEntryDto(row, task))
  const added = (entry: QueueEntryDto) => row.studies.findIndex((study) => study.id === entry.study.id)
  return entries.sort((a, b) => {
    if (order === 'uncertainty') {
      const byScore = (b.study.queueScore?.score ?? -1) - (a.study.queueScore?.score ?? -1)
      if (byScore !== 0) return byScore
    }
    return added(a) - added(b)
  })
}

/** Opens a task's study to annotate: audited as the images accessed (110103) before the viewer is told where they are. */
export async function openTask(db: Db, user: SessionUser, sourceIp: string | null, projectId: string, taskId: string): Promise<AnnotationSessionDto> {
  return db.$transaction(async (tx) => {
    await lockProject(tx, projectId)
    const { row, task } = await ownTask(tx, user, projectId, taskId)
    if (statusOf(row) !== 'active') throw new AppError('conflict', 'projects', 'This project is closed.')
    const openedAt = new Date()
    const updated =
      task.status === 'open' ? await tx.annotationTask.update({ where: { id: task.id }, data: { status: 'in-progress', openedAt }, include: { submission: true } }) : task
    const study = row.studies.find((candidate) => candidate.id === task.studyId)!
    await appendAudit(
      tx,
      { type: 'annotation-study-opened', project: projectReference(row), taskId: task.id, studyUidHash: hashIdentifier(study.studyInstanceUid) },
      auditContext(user, sourceIp),
    )
    return { project: { id: row.id, name: row.name }, labelSchema: labelSchemaOf(row), task: toQueueEntryDto(row, updated) }
  })
}

/** Records a submission: once per task, segments from the project's label schema; the SEG's export is audited with it. */
export async function submitAnnotation(db: Db, user: SessionUser, sourceIp: string | null, projectId: string, taskId: string, body: SubmissionBody): Promise<QueueEntryDto> {
  return db.$transaction(async (tx) => {
    await lockProject(tx, projectId)
    const { row, task } = await ownTask(tx, user, projectId, taskId)
    if (statusOf(row) !== 'active') throw new AppError('conflict', 'projects', 'This project is closed.')
    if (task.status === 'submitted') throw new AppError('conflict', 'projects', 'This task is submitted already; a submission is final.')
    const numbers = new Set(labelSchemaOf(row).segments.map((segment) => segment.number))
    const unknown = body.figures.filter((figures) => !numbers.has(figures.segmentNumber)).map((figures) => figures.segmentNumber)
    if (unknown.length) throw new AppError('bad_request', 'projects', `Segment ${unknown.join(', ')} is not in the project's label schema.`)
    const study = row.studies.find((candidate) => candidate.id === task.studyId)!
    if (body.storedAt === 'pacs' && body.pacsId !== study.pacsId) throw new AppError('bad_request', 'projects', 'A SEG is stored only to the PACS its study is on.')
    const submittedAt = new Date()
    await tx.annotationSubmission.create({
      data: {
        taskId: task.id,
        segSopInstanceUid: body.segSopInstanceUid,
        segSha256: body.segSha256,
        storedAt: body.storedAt,
        pacsId: body.pacsId,
        figures: JSON.stringify(body.figures),
        submittedAt,
      },
    })
    const updated = await tx.annotationTask.update({
      where: { id: task.id },
      data: { status: 'submitted', submittedAt, openedAt: task.openedAt ?? submittedAt },
      include: { submission: true },
    })
    const project = projectReference(row)
    const studyUidHash = hashIdentifier(study.studyInstanceUid)
    const segUidHash = hashIdentifier(body.segSopInstanceUid)
    const context = auditContext(user, sourceIp)
    await appendAudit(
      tx,
      { type: 'annotation-submitted', project, taskId: task.id, studyUidHash, segUidHash, segSha256: body.segSha256, segmentCount: body.figures.length },
      context,
    )
    await appendAudit(
      tx,
      {
        type: 'annotation-seg-exported',
        project,
        studyUidHash,
        segUidHash,
        segSha256: body.segSha256,
        kind: 'annotation',
        destination: body.storedAt,
        ...(body.pacsId ? { pacsId: body.pacsId } : {}),
      },
      context,
    )
    return toQueueEntryDto(row, updated)
  })
}
