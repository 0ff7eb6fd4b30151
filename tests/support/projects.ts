import { expect, type APIRequestContext } from '@playwright/test'
import type { ProjectDto, SubmissionBody } from '../../lib/annotation-projects/schema'

// Annotation projects made through the API, for the access matrix and tests/e2e/projects.spec.ts:
// a project, its studies and annotators, and submissions of records (a SEG's UID, hash and
// figures), as the viewer would send them after storing or downloading the SEG.

export const projectLabelSchema = {
  segments: [
    {
      number: 1,
      name: 'Lesion',
      colour: '#ff3030',
      category: { scheme: 'SCT', value: '49755003', meaning: 'Morphologically abnormal structure' },
      type: { scheme: 'SCT', value: '52988006', meaning: 'Lesion' },
    },
  ],
} as const

let counter = 0
/** A study UID no other test uses. */
export const uniqueStudyUid = () => `1.2.826.0.1.3680043.9.7434.${Date.now()}.${++counter}`

/** A submission's body: records only. */
export const submissionBody = (dice: number | null = 0.87): SubmissionBody => ({
  segSopInstanceUid: uniqueStudyUid(),
  segSha256: (++counter % 16).toString(16).repeat(64),
  storedAt: 'download',
  pacsId: null,
  figures: [{ segmentNumber: 1, voxels: 1234, volumeMl: 2.5, correctionDice: dice, aiModel: dice === null ? null : { id: 'lesion-seg-2d', version: '1.2.0' } }],
})

export async function createProjectThrough(owner: APIRequestContext, studyUids: string[], annotators: string[]): Promise<ProjectDto> {
  const created = await owner.post('/api/projects', { data: { name: `E2E project ${uniqueStudyUid()}`, description: 'Made by a test.', labelSchema: projectLabelSchema } })
  expect(created.status()).toBe(201)
  const { id } = (await created.json()) as ProjectDto
  expect((await owner.post(`/api/projects/${id}/studies`, { data: { studies: studyUids.map((studyInstanceUid) => ({ studyInstanceUid })) } })).status()).toBe(201)
  const added = await owner.post(`/api/projects/${id}/annotators`, { data: { annotators: annotators.map((username) => ({ username })) } })
  expect(added.status()).toBe(201)
  return (await added.json()) as ProjectDto
}

/** The task of `userId` on the study with this UID. */
export function taskIn(project: ProjectDto, studyUid: string, userId: string) {
  const task = project.studies.find((study) => study.studyInstanceUid === studyUid)?.tasks.find((candidate) => candidate.annotator.id === userId)
  expect(task, `a task of ${userId} on ${studyUid}`).toBeTruthy()
  return task!
}

export async function userIdOf(api: APIRequestContext): Promise<string> {
  return ((await (await api.get('/api/me')).json()) as { id: string }).id
}

/** Opens and submits a task as its annotator. */
export async function annotate(annotator: APIRequestContext, projectId: string, taskId: string, body: SubmissionBody = submissionBody()): Promise<void> {
  expect((await annotator.post(`/api/projects/${projectId}/tasks/${taskId}/open`)).status()).toBe(200)
  expect((await annotator.post(`/api/projects/${projectId}/tasks/${taskId}/submission`, { data: body })).status()).toBe(201)
}
