import 'server-only'
import { z } from 'zod'
import type { AuditContext } from '../audit/append.server'
import type { SessionUser } from '../auth/session-user'
import { getDatabase, type Db, type Tx } from '../db/client.server'
import type { AgreementRecord, AnnotationProject, AnnotationSubmission, AnnotationTask, ConsensusRecord, ProjectAnnotator, ProjectStudy } from '../db/generated/sqlite/client'
import { AppError } from '../errors'
import {
  consensusMethodSchema,
  labelSchemaSchema,
  projectRoleSchema,
  projectStatusSchema,
  segDestinationSchema,
  segmentFiguresSchema,
  taskStatusSchema,
  type AgreementDto,
  type ConsensusDto,
  type LabelSchema,
  type ProjectAccess,
  type ProjectStudyDto,
  type QueueEntryDto,
  type SubmissionDto,
  type TaskDto,
} from './schema'

// What the project services share: a project's rows loaded one way, who may see and change
// it, and the mapping of rows to the DTOs the API sends (never a Prisma row).

export const projectInclude = {
  studies: { orderBy: { addedAt: 'asc' } },
  annotators: { orderBy: { addedAt: 'asc' } },
  tasks: { include: { submission: true }, orderBy: { createdAt: 'asc' } },
  agreements: { orderBy: { computedAt: 'asc' } },
  consensus: { orderBy: { computedAt: 'asc' } },
} as const

export type TaskRow = AnnotationTask & { submission: AnnotationSubmission | null }
export type ProjectRow = AnnotationProject & {
  studies: ProjectStudy[]
  annotators: ProjectAnnotator[]
  tasks: TaskRow[]
  agreements: AgreementRecord[]
  consensus: ConsensusRecord[]
}

export function auditContext(user: SessionUser, sourceIp: string | null): AuditContext {
  return { actor: { id: user.id, username: user.username, role: user.role }, sourceIp }
}

export const projectReference = (project: Pick<AnnotationProject, 'id'>) => ({ id: project.id })

/**
 * How the user stands in the project, or null where they may not see it: owners, members
 * and admins see their projects; auditors see every project; anyone else is told there is none.
 */
export function accessOf(project: Pick<ProjectRow, 'createdById' | 'annotators'>, user: SessionUser): ProjectAccess | null {
  if (user.role === 'auditor') return 'auditor'
  if (project.createdById === user.id) return 'owner'
  const member = project.annotators.find((annotator) => annotator.userId === user.id)
  if (member) return projectRoleSchema.parse(member.role)
  return user.role === 'admin' ? 'admin' : null
}

/** Owners, managers and admins change a project; auditors never do. */
export const canManage = (access: ProjectAccess | null) => access === 'owner' || access === 'manager' || access === 'admin'

/** Annotators are blinded to each other's work until agreement is first computed; whoever manages the project is not. */
export const isBlinded = (project: Pick<AnnotationProject, 'unblindedAt'>, access: ProjectAccess) => access === 'annotator' && project.unblindedAt === null

export async function loadProject(db: Db | Tx, id: string): Promise<ProjectRow> {
  const row = await db.annotationProject.findUnique({ where: { id }, include: projectInclude })
  if (!row) throw new AppError('not_found', 'projects', 'No such project.')
  return row
}

/** Locks the project's row on PostgreSQL so that changes to one project run one after another (SQLite serialises writes already). */
export async function lockProject(tx: Tx, id: string): Promise<void> {
  if (getDatabase().config.provider === 'postgresql') await tx.$executeRaw`SELECT 1 FROM "AnnotationProject" WHERE "id" = ${id} FOR UPDATE`
}

/** The project and the user's access to it, or 404 where they may not see it. */
export async function visibleProject(db: Db | Tx, user: SessionUser, id: string): Promise<{ row: ProjectRow; access: ProjectAccess }> {
  const row = await loadProject(db, id)
  const access = accessOf(row, user)
  if (!access) throw new AppError('not_found', 'projects', 'No such project.')
  return { row, access }
}

/** The project to change: 404 where the user may not see it, 403 where they may see but not change it. */
export async function manageableProject(tx: Tx, user: SessionUser, id: string): Promise<ProjectRow> {
  await lockProject(tx, id)
  const { row, access } = await visibleProject(tx, user, id)
  if (!canManage(access)) throw new AppError('forbidden', 'projects', 'Only the project owner, its managers and administrators change a project.')
  return row
}

export const labelSchemaOf = (row: Pick<AnnotationProject, 'labelSchema'>): LabelSchema => labelSchemaSchema.parse(JSON.parse(row.labelSchema))
export const statusOf = (row: Pick<AnnotationProject, 'status'>) => projectStatusSchema.parse(row.status)

export function toSubmissionDto(row: AnnotationSubmission): SubmissionDto {
  return {
    id: row.id,
    segSopInstanceUid: row.segSopInstanceUid,
    segSha256: row.segSha256,
    storedAt: segDestinationSchema.parse(row.storedAt),
    pacsId: row.pacsId,
    figures: segmentFiguresSchema.array().parse(JSON.parse(row.figures)),
    submittedAt: row.submittedAt.toISOString(),
  }
}

const nameOf = (project: ProjectRow, userId: string) =>
  project.annotators.find((annotator) => annotator.userId === userId)?.displayName ?? (userId === project.createdById ? project.createdByName : userId)

export function toTaskDto(project: ProjectRow, row: TaskRow): TaskDto {
  return {
    id: row.id,
    annotator: { id: row.annotatorId, name: nameOf(project, row.annotatorId) },
    status: taskStatusSchema.parse(row.status),
    openedAt: row.openedAt?.toISOString() ?? null,
    submittedAt: row.submittedAt?.toISOString() ?? null,
    submission: row.submission ? toSubmissionDto(row.submission) : null,
  }
}

export function toStudyDto(row: ProjectStudy, tasks: TaskDto[]): ProjectStudyDto {
  return {
    id: row.id,
    studyInstanceUid: row.studyInstanceUid,
    studyDescription: row.studyDescription,
    pacsId: row.pacsId,
    queueScore:
      row.queueScore !== null && row.queueModelId && row.queueModelVersion ? { score: row.queueScore, modelId: row.queueModelId, modelVersion: row.queueModelVersion } : null,
    addedAt: row.addedAt.toISOString(),
    tasks,
  }
}

export function toQueueEntryDto(project: ProjectRow, task: TaskRow): QueueEntryDto {
  const study = project.studies.find((candidate) => candidate.id === task.studyId)!
  const { tasks: _omitted, ...studyDto } = toStudyDto(study, [])
  const dto = toTaskDto(project, task)
  return { taskId: task.id, projectId: project.id, study: studyDto, status: dto.status, openedAt: dto.openedAt, submittedAt: dto.submittedAt, submission: dto.submission }
}

/** The newest record per study, segment and annotator pair: a recomputation supersedes, never erases, the earlier one. */
export function latestAgreements(project: ProjectRow): AgreementDto[] {
  const latest = new Map<string, AgreementRecord>()
  for (const row of project.agreements) {
    const pair = [row.annotatorAId, row.annotatorBId].sort().join('|')
    latest.set(`${row.studyId}|${row.segmentNumber}|${pair}`, row)
  }
  return [...latest.values()].map((row) => ({
    id: row.id,
    studyId: row.studyId,
    segmentNumber: row.segmentNumber,
    annotatorA: { id: row.annotatorAId, name: nameOf(project, row.annotatorAId) },
    annotatorB: { id: row.annotatorBId, name: nameOf(project, row.annotatorBId) },
    submissionAId: row.submissionAId,
    submissionBId: row.submissionBId,
    dice: row.dice,
    jaccard: row.jaccard,
    hd95Mm: row.hd95Mm,
    assdMm: row.assdMm,
    volumeDifferenceMl: row.volumeDifferenceMl,
    computedBy: nameOf(project, row.computedById),
    computedAt: row.computedAt.toISOString(),
  }))
}

export function toConsensusDto(project: ProjectRow, row: ConsensusRecord): ConsensusDto {
  return {
    id: row.id,
    studyId: row.studyId,
    method: consensusMethodSchema.parse(row.method),
    submissionIds: z.array(z.string()).parse(JSON.parse(row.submissionIds)),
    segSopInstanceUid: row.segSopInstanceUid,
    segSha256: row.segSha256,
    storedAt: segDestinationSchema.parse(row.storedAt),
    pacsId: row.pacsId,
    computedBy: nameOf(project, row.computedById),
    computedAt: row.computedAt.toISOString(),
  }
}
