import { expect, test, type APIRequestContext } from '@playwright/test'
import type { ProjectDto, QueueEntryDto } from '../../lib/annotation-projects/schema'
import { demoAccount, uniqueUsername } from '../support/accounts'
import { apiSession } from '../support/api'
import { signInBrowser } from '../support/browser'
import { annotate, submissionBody, uniqueStudyUid, userIdOf } from '../support/projects'

// Annotation projects end to end: a researcher creates a project in the browser with two
// studies and two annotators (another researcher and the demo radiologist); each annotator's
// queue holds only their own tasks, and annotating is blinded until agreement is computed;
// an auditor reads the dashboard and is refused (403) every change. Every request the
// researcher's browser sends to /api/projects is captured: only records (names, codes, UIDs,
// usernames) travel, never pixels or masks.

test('a researcher runs a project with two annotators on two studies; queues are blinded; the auditor only reads', async ({ browser, baseURL }) => {
  const admin = await apiSession(baseURL!, demoAccount('admin').username, demoAccount('admin').password)
  const annotatorName = uniqueUsername('annotator')
  const annotatorPassword = 'annotator-password-1'
  expect(
    (await admin.post('/api/admin/users', { data: { username: annotatorName, displayName: 'Second Annotator', role: 'researcher', password: annotatorPassword } })).status(),
  ).toBe(201)
  await admin.dispose()

  const context = await browser.newContext({ baseURL })
  await signInBrowser(context, demoAccount('researcher').username, demoAccount('researcher').password)
  const page = await context.newPage()
  const sent: { method: string; url: string; body: string }[] = []
  page.on('request', (request) => {
    if (new URL(request.url()).pathname.startsWith('/api/projects') && request.method() !== 'GET')
      sent.push({ method: request.method(), url: request.url(), body: request.postData() ?? '' })
  })

  // Create, in the browser.
  await page.goto('/projects')
  await page.getByTestId('project-name').fill(`Liver lesions ${uniqueUsername('p')}`)
  await page.getByTestId('project-description').fill('Two annotators, two studies.')
  await page.getByTestId('create-project').click()
  await expect(page).toHaveURL(/\/projects\/[a-z0-9]+$/)
  const projectId = new URL(page.url()).pathname.split('/').at(-1)!

  const [studyA, studyB] = [uniqueStudyUid(), uniqueStudyUid()]
  await page.getByTestId('study-uids').fill(`${studyA}\n${studyB}`)
  await page.getByTestId('add-studies').click()
  await expect(page.getByTestId('study-row')).toHaveCount(2)
  for (const username of [annotatorName, demoAccount('radiologist').username]) {
    await page.getByTestId('annotator-username').fill(username)
    await page.getByTestId('add-annotator').click()
    await expect(page.getByTestId('project-message')).toContainText(`${username} added`)
  }
  await expect(page.getByTestId('annotator-row')).toHaveCount(2)

  // What the browser sent: the project's records, nothing else.
  expect(sent.map((request) => `${request.method} ${new URL(request.url).pathname}`)).toEqual([
    'POST /api/projects',
    `POST /api/projects/${projectId}/studies`,
    `POST /api/projects/${projectId}/annotators`,
    `POST /api/projects/${projectId}/annotators`,
  ])
  for (const request of sent) expect(request.body.length, request.url).toBeLessThan(4096)
  expect(Object.keys(JSON.parse(sent[0]!.body) as object).sort()).toEqual(['description', 'labelSchema', 'name'])
  expect(JSON.parse(sent[1]!.body)).toEqual({ studies: [studyA, studyB].map((studyInstanceUid) => ({ studyInstanceUid, pacsId: null })) })

  // Each annotator sees only their own queue: one task per study, theirs.
  const second = await apiSession(baseURL!, annotatorName, annotatorPassword)
  const radiologist = await apiSession(baseURL!, demoAccount('radiologist').username, demoAccount('radiologist').password)
  const queueOf = async (api: APIRequestContext) => (await (await api.get(`/api/projects/${projectId}/queue`)).json()) as QueueEntryDto[]
  const [secondQueue, radiologistQueue] = [await queueOf(second), await queueOf(radiologist)]
  for (const queue of [secondQueue, radiologistQueue]) expect(queue.map((entry) => entry.study.studyInstanceUid).sort()).toEqual([studyA, studyB].sort())
  expect(secondQueue.map((entry) => entry.taskId).filter((id) => radiologistQueue.some((entry) => entry.taskId === id))).toEqual([])
  // The owner is no annotator here: no queue of theirs.
  expect(((await (await context.request.get(`/api/projects/${projectId}/queue`)).json()) as unknown[]).length).toBe(0)
  // Another annotator's task is not yours to open.
  expect((await second.post(`/api/projects/${projectId}/tasks/${radiologistQueue[0]!.taskId}/open`)).status()).toBe(404)

  // The queue page opens the viewer on the task.
  const annotatorContext = await browser.newContext({ baseURL })
  await signInBrowser(annotatorContext, demoAccount('radiologist').username, demoAccount('radiologist').password)
  const queuePage = await annotatorContext.newPage()
  await queuePage.goto(`/projects/${projectId}/queue`)
  await expect(queuePage.getByTestId('queue-entry')).toHaveCount(2)
  await expect(queuePage.getByTestId('annotate').first()).toHaveAttribute('href', new RegExp(`^/viewer\\?project=${projectId}&task=`))
  await annotatorContext.close()

  // Blinded: the radiologist submits; the second annotator sees none of it.
  const radiologistSeg = submissionBody()
  await annotate(radiologist, projectId, radiologistQueue.find((entry) => entry.study.studyInstanceUid === studyA)!.taskId, radiologistSeg)
  const blinded = (await (await second.get(`/api/projects/${projectId}`)).json()) as ProjectDto
  expect(blinded.blinded).toBe(true)
  const secondId = await userIdOf(second)
  for (const study of blinded.studies) for (const task of study.tasks) expect(task.annotator.id).toBe(secondId)
  expect(JSON.stringify(blinded)).not.toContain(radiologistSeg.segSopInstanceUid)
  await annotate(second, projectId, secondQueue.find((entry) => entry.study.studyInstanceUid === studyA)!.taskId)

  // The auditor reads the dashboard, and every change is refused.
  const auditorContext = await browser.newContext({ baseURL })
  await signInBrowser(auditorContext, demoAccount('auditor').username, demoAccount('auditor').password)
  const auditorPage = await auditorContext.newPage()
  expect((await auditorPage.goto(`/projects/${projectId}`))?.status()).toBe(200)
  await expect(auditorPage.getByTestId('project-dashboard')).toHaveAttribute('data-blinded', 'false')
  await expect(auditorPage.getByTestId('study-row')).toHaveCount(2)
  await expect(auditorPage.getByTestId('project-manage')).toHaveCount(0)
  const auditor = auditorContext.request
  const seen = (await (await auditor.get(`/api/projects/${projectId}`)).json()) as ProjectDto
  expect(JSON.stringify(seen)).toContain(radiologistSeg.segSopInstanceUid)
  const study = seen.studies.find((candidate) => candidate.studyInstanceUid === studyA)!
  const submissions = study.tasks.map((task) => task.submission!.id)
  const anyTask = study.tasks[0]!.id
  const changes: [string, string, unknown][] = [
    ['POST', '/api/projects', { name: 'Auditor project', description: '', labelSchema: seen.labelSchema }],
    ['PATCH', `/api/projects/${projectId}`, { status: 'closed' }],
    ['POST', `/api/projects/${projectId}/studies`, { studies: [{ studyInstanceUid: uniqueStudyUid() }] }],
    ['POST', `/api/projects/${projectId}/annotators`, { annotators: [{ username: demoAccount('auditor').username }] }],
    ['POST', `/api/projects/${projectId}/tasks/${anyTask}/open`, undefined],
    ['POST', `/api/projects/${projectId}/tasks/${anyTask}/submission`, submissionBody()],
    [
      'POST',
      `/api/projects/${projectId}/agreement`,
      {
        records: [
          { studyId: study.id, segmentNumber: 1, submissionAId: submissions[0], submissionBId: submissions[1], dice: 1, jaccard: 1, hd95Mm: 0, assdMm: 0, volumeDifferenceMl: 0 },
        ],
      },
    ],
    ['POST', `/api/projects/${projectId}/consensus`, { studyId: study.id, method: 'majority', submissionIds: submissions, ...submissionBody(null), figures: undefined }],
  ]
  for (const [method, url, data] of changes) {
    const response = await auditor.fetch(url, { method, data, headers: { origin: baseURL! } })
    expect(response.status(), `auditor ${method} ${url}`).toBe(403)
  }
  expect(((await (await auditor.get(`/api/projects/${projectId}`)).json()) as ProjectDto).agreements).toEqual([])
  await auditorContext.close()

  // The owner records agreement: the blinding lifts, the heat map shows the pair.
  const recorded = await context.request.post(`/api/projects/${projectId}/agreement`, {
    data: {
      records: [
        {
          studyId: study.id,
          segmentNumber: 1,
          submissionAId: submissions[0],
          submissionBId: submissions[1],
          dice: 0.8,
          jaccard: 0.6667,
          hd95Mm: 2.5,
          assdMm: 0.7,
          volumeDifferenceMl: 0.2,
        },
      ],
    },
    headers: { origin: baseURL! },
  })
  expect(recorded.status()).toBe(201)
  expect(((await (await second.get(`/api/projects/${projectId}`)).json()) as ProjectDto).blinded).toBe(false)
  await page.reload()
  await expect(page.getByTestId('agreement-cell')).toHaveCount(4)
  await expect(page.locator(`[data-testid="agreement-cell"][data-dice="0.8"]`)).toHaveCount(2)
  await expect(page.locator('[data-testid="dice-bin"][data-count="1"]')).toHaveCount(1)

  await Promise.all([second.dispose(), radiologist.dispose()])
  await context.close()
})
