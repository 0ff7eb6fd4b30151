import 'server-only'
import { appendAudit } from '../audit/append.server'
import { hashIdentifier } from '../audit/identifiers.server'
import type { SessionUser } from '../auth/session-user'
import type { Db, Tx } from '../db/client.server'
import { AppError } from '../errors'
import {
  accessOf,
  auditContext,
  canManage,
  isBlinded,
  labelSchemaOf,
  loadProject,
  manageableProject,
  projectReference,
  statusOf,
  toConsensusDto,
  toStudyDto,
  toTaskDto,
  visibleProject,
  latestAgreements,
  type ProjectRow,
} from './project-rows.server'
import type { AddAnnotatorsBody, AddStudiesBody, CreateProjectBody, ProjectAccess, ProjectDto, ProjectSummaryDto, UpdateProjectBody } from './schema'

// Annotation projects on the server: creating and listing them, their dashboard, and adding
// studies and annotators (each pair gets a task). Tasks, submissions, agreement and
// consensus are in tasks.server.ts and agreement.server.ts. Every change writes its audit
// event in the same transaction, so neither commits without the other.

/** Who may create projects: researchers, and admins. */
const creatorRoles: readonly SessionUser['role'][] = ['researcher', 'admin']

function summaryOf(row: ProjectRow, access: ProjectAccess): ProjectSummaryDto {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    status: statusOf(row),
    createdBy: { id: row.createdById, name: row.createdByName },
    createdAt: row.createdAt.toISOString(),
    access,
    studyCount: row.studies.length,
    annotatorCount: row.annotators.filter((annotator) => annotator.role === 'annotator').length,
    tasks: { total: row.tasks.length, submitted: row.tasks.filter((task) => task.status === 'submitted').length },
  }
}

/** The project as the dashboard shows it to this user: blinded for an annotator until agreement is computed. */
export function toProjectDto(row: ProjectRow, access: ProjectAccess, user: SessionUser): ProjectDto {
  const blinded = isBlinded(row, access)
  const visibleTasks = blinded ? row.tasks.filter((task) => task.annotatorId === user.id) : row.tasks
  const count = (userId: string, status: string) => row.tasks.filter((task) => task.annotatorId === userId && task.status === status).length
  return {
    ...summaryOf(row, access),
    labelSchema: labelSchemaOf(row),
    unblindedAt: row.unblindedAt?.toISOString() ?? null,
    blinded,
    canManage: canManage(access),
    annotating: row.annotators.some((annotator) => annotator.userId === user.id && annotator.role === 'annotator'),
    // Progress counts say how far each annotator is, never what they drew.
    annotators: row.annotators.map((annotator) => ({
      userId: annotator.userId,
      displayName: annotator.displayName,
      role: annotator.role as ProjectDto['annotators'][number]['role'],
      addedAt: annotator.addedAt.toISOString(),
      open: count(annotator.userId, 'open'),
      inProgress: count(annotator.userId, 'in-progress'),
      submitted: count(annotator.userId, 'submitted'),
    })),
    studies: row.studies.map((study) =>
      toStudyDto(
        study,
        visibleTasks.filter((task) => task.studyId === study.id).map((task) => toTaskDto(row, task)),
      ),
    ),
    agreements: blinded ? [] : latestAgreements(row),
    consensus: blinded ? [] : row.consensus.map((record) => toConsensusDto(row, record)),
  }
}

export async function createProject(db: Db, user: SessionUser, sourceIp: string | null, body: CreateProjectBody): Promise<ProjectDto> {
  if (!creatorRoles.includes(user.role)) throw new AppError('forbidden', 'projects', 'Only researchers and administrators create annotation projects.')
  const id = await db.$transaction(async (tx) => {
    const project = await tx.annotationProject.create({
      data: {
        name: body.name,
        description: body.description,
        labelSchema: JSON.stringify(body.labelSchema),
        status: 'active',
        createdById: user.id,
        createdByName: user.displayName,
      },
    })
    await appendAudit(tx, { type: 'annotation-project-created', project: projectReference(project), segmentCount: body.labelSchema.segments.length }, auditContext(user, sourceIp))
    return project.id
  })
  return toProjectDto(await loadProject(db, id), 'owner', user)
}

/** The projects the user may see, newest first: their own and those naming them; every project for auditors and admins. */
export async function listProjects(db: Db, user: SessionUser): Promise<ProjectSummaryDto[]> {
  const everything = user.role === 'auditor' || user.role === 'admin'
  const rows = await db.annotationProject.findMany({
    where: everything ? {} : { OR: [{ createdById: user.id }, { annotators: { some: { userId: user.id } } }] },
    include: { studies: true, annotators: true, tasks: { include: { submission: true } }, agreements: { take: 0 }, consensus: { take: 0 } },
    orderBy: { createdAt: 'desc' },
    take: 500,
  })
  return rows.map((row) => summaryOf(row, accessOf(row, user)!))
}

export async function getProject(db: Db, user: SessionUser, id: string): Promise<ProjectDto> {
  const { row, access } = await visibleProject(db, user, id)
  return toProjectDto(row, access, user)
}

export async function updateProject(db: Db, user: SessionUser, sourceIp: string | null, id: string, body: UpdateProjectBody): Promise<ProjectDto> {
  await db.$transaction(async (tx) => {
    const row = await manageableProject(tx, user, id)
    const changed = (['name', 'description', 'status'] as const).filter((field) => body[field] !== undefined && body[field] !== row[field])
    if (changed.length === 0) return
    await tx.annotationProject.update({ where: { id }, data: Object.fromEntries(changed.map((field) => [field, body[field]])) })
    await appendAudit(tx, { type: 'annotation-project-updated', project: projectReference(row), changed }, auditContext(user, sourceIp))
  })
  return getProject(db, user, id)
}

function assertActive(row: ProjectRow): void {
  if (statusOf(row) !== 'active') throw new AppError('conflict', 'projects', 'This project is closed.')
}

/** Creates the tasks missing for these annotators and studies (one per pair), audited as assigned. */
async function assignTasks(tx: Tx, user: SessionUser, sourceIp: string | null, row: ProjectRow, annotatorIds: string[], studyIds: string[]): Promise<void> {
  const existing = new Set(row.tasks.map((task) => `${task.studyId}|${task.annotatorId}`))
  const pairs = studyIds.flatMap((studyId) => annotatorIds.map((annotatorId) => ({ studyId, annotatorId }))).filter((pair) => !existing.has(`${pair.studyId}|${pair.annotatorId}`))
  if (pairs.length === 0) return
  await tx.annotationTask.createMany({ data: pairs.map((pair) => ({ ...pair, projectId: row.id, status: 'open' })) })
  const studies = await tx.projectStudy.findMany({ where: { id: { in: [...new Set(pairs.map((pair) => pair.studyId))] } }, select: { studyInstanceUid: true } })
  await appendAudit(
    tx,
    {
      type: 'annotation-tasks-assigned',
      project: projectReference(row),
      annotatorIds: [...new Set(pairs.map((pair) => pair.annotatorId))],
      studyUidHashes: studies.map((study) => hashIdentifier(study.studyInstanceUid)),
      taskCount: pairs.length,
    },
    auditContext(user, sourceIp),
  )
}

/** Adds studies (a study already there gets the queue score given) and gives each annotator a task on each new study. */
export async function addStudies(db: Db, user: SessionUser, sourceIp: string | null, id: string, body: AddStudiesBody): Promise<ProjectDto> {
  await db.$transaction(async (tx) => {
    const row = await manageableProject(tx, user, id)
    assertActive(row)
    const byUid = new Map(row.studies.map((study) => [study.studyInstanceUid, study]))
    const added: string[] = []
    for (const study of body.studies) {
      const score = { queueScore: study.queueScore?.score ?? null, queueModelId: study.queueScore?.modelId ?? null, queueModelVersion: study.queueScore?.modelVersion ?? null }
      const known = byUid.get(study.studyInstanceUid)
      if (known) {
        if (study.queueScore) await tx.projectStudy.update({ where: { id: known.id }, data: score })
        continue
      }
      const created = await tx.projectStudy.create({
        data: { projectId: id, studyInstanceUid: study.studyInstanceUid, studyDescription: study.studyDescription, pacsId: study.pacsId, ...score },
      })
      added.push(created.id)
    }
    await appendAudit(
      tx,
      {
        type: 'annotation-studies-added',
        project: projectReference(row),
        studyUidHashes: body.studies.map((study) => hashIdentifier(study.studyInstanceUid)),
        scored: body.studies.filter((study) => study.queueScore).length,
      },
      auditContext(user, sourceIp),
    )
    const annotators = row.annotators.filter((annotator) => annotator.role === 'annotator').map((annotator) => annotator.userId)
    await assignTasks(tx, user, sourceIp, row, annotators, added)
  })
  return getProject(db, user, id)
}

/**
 * Names annotators (researchers, or radiologists the project names) and managers
 * (researchers); each annotator gets a task on every study.
 */
export async function addAnnotators(db: Db, user: SessionUser, sourceIp: string | null, id: string, body: AddAnnotatorsBody): Promise<ProjectDto> {
  await db.$transaction(async (tx) => {
    const row = await manageableProject(tx, user, id)
    assertActive(row)
    const usernames = [...new Set(body.annotators.map((entry) => entry.username))]
    const users = await tx.user.findMany({ where: { username: { in: usernames } }, select: { id: true, username: true, displayName: true, role: true, disabled: true } })
    const added: { userId: string; role: string }[] = []
    for (const entry of body.annotators) {
      const account = users.find((candidate) => candidate.username === entry.username)
      if (!account || account.disabled) throw new AppError('bad_request', 'projects', `No active account is named ${entry.username}.`)
      const allowed = entry.role === 'manager' ? ['researcher'] : ['researcher', 'radiologist']
      if (!allowed.includes(account.role)) {
        throw new AppError(
          'bad_request',
          'projects',
          entry.role === 'manager'
            ? `${entry.username} is not a researcher: only researchers manage projects.`
            : `${entry.username} neither annotates as a researcher nor as a radiologist.`,
        )
      }
      if (account.id === row.createdById && entry.role === 'manager') throw new AppError('bad_request', 'projects', 'The owner manages the project already.')
      if (row.annotators.some((annotator) => annotator.userId === account.id) || added.some((annotator) => annotator.userId === account.id)) {
        throw new AppError('conflict', 'projects', `${entry.username} is in this project already.`)
      }
      await tx.projectAnnotator.create({ data: { projectId: id, userId: account.id, displayName: account.displayName, role: entry.role } })
      added.push({ userId: account.id, role: entry.role })
    }
    await appendAudit(tx, { type: 'annotation-annotators-added', project: projectReference(row), annotators: added }, auditContext(user, sourceIp))
    const annotators = added.filter((annotator) => annotator.role === 'annotator').map((annotator) => annotator.userId)
    await assignTasks(
      tx,
      user,
      sourceIp,
      row,
      annotators,
      row.studies.map((study) => study.id),
    )
  })
  return getProject(db, user, id)
}
