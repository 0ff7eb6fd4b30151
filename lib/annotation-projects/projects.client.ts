'use client'
import { getJson, sendJson } from '../http/send-json.client'
import {
  annotationSessionDtoSchema,
  projectDtoSchema,
  projectSummaryDtoSchema,
  queueEntryDtoSchema,
  type AddAnnotatorsBody,
  type AgreementInput,
  type AnnotationSessionDto,
  type ConsensusBody,
  type CreateProjectBody,
  type ProjectDto,
  type ProjectStudyInput,
  type ProjectSummaryDto,
  type QueueEntryDto,
  type QueueOrder,
  type SubmissionBody,
  type UpdateProjectBody,
} from './schema'

// The browser's side of /api/projects: records only (UIDs, hashes, figures, agreement
// numbers), never a mask. Every answer is checked against the schema the server builds it
// by; failures throw ApiError with the server's code, such as `conflict:projects`.

const base = (projectId: string) => `/api/projects/${encodeURIComponent(projectId)}`

export const fetchProjects = (): Promise<ProjectSummaryDto[]> => getJson('/api/projects', projectSummaryDtoSchema.array())

export const fetchProject = (projectId: string): Promise<ProjectDto> => getJson(base(projectId), projectDtoSchema)

export const createProject = (body: CreateProjectBody): Promise<ProjectDto> => sendJson('/api/projects', 'POST', body, projectDtoSchema)

export const updateProject = (projectId: string, body: UpdateProjectBody): Promise<ProjectDto> => sendJson(base(projectId), 'PATCH', body, projectDtoSchema)

export const addStudies = (projectId: string, studies: ProjectStudyInput[]): Promise<ProjectDto> => sendJson(`${base(projectId)}/studies`, 'POST', { studies }, projectDtoSchema)

export const addAnnotators = (projectId: string, annotators: AddAnnotatorsBody['annotators']): Promise<ProjectDto> =>
  sendJson(`${base(projectId)}/annotators`, 'POST', { annotators }, projectDtoSchema)

export const fetchQueue = (projectId: string, order: QueueOrder): Promise<QueueEntryDto[]> => getJson(`${base(projectId)}/queue?order=${order}`, queueEntryDtoSchema.array())

/** Opens a task's study to annotate (audited, 110103): the viewer calls it before loading the study. */
export const openTask = (projectId: string, taskId: string): Promise<AnnotationSessionDto> =>
  sendJson(`${base(projectId)}/tasks/${encodeURIComponent(taskId)}/open`, 'POST', undefined, annotationSessionDtoSchema)

/** Records a submission after the browser stored the SEG to the PACS or downloaded it. */
export const submitAnnotation = (projectId: string, taskId: string, body: SubmissionBody): Promise<QueueEntryDto> =>
  sendJson(`${base(projectId)}/tasks/${encodeURIComponent(taskId)}/submission`, 'POST', body, queueEntryDtoSchema)

export const recordAgreement = (projectId: string, records: AgreementInput[]): Promise<ProjectDto> =>
  sendJson(`${base(projectId)}/agreement`, 'POST', { records }, projectDtoSchema)

export const recordConsensus = (projectId: string, body: ConsensusBody): Promise<ProjectDto> => sendJson(`${base(projectId)}/consensus`, 'POST', body, projectDtoSchema)
