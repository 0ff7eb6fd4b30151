import { existsSync, readdirSync } from 'node:fs'
import path from 'node:path'
import { expect, test, type APIRequestContext } from '@playwright/test'
import { roles, type Role } from '../../lib/vocabulary/roles'
import { demoAccount, uniqueUsername } from '../support/accounts'
import { anonymousApi, apiSession } from '../support/api'
import { sharedDataPath } from '../support/shared-data'
import { reluManifest, reluModelBytes } from '../support/model-fixtures'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { signInBrowser } from '../support/browser'
import { annotate, createProjectThrough, projectLabelSchema, submissionBody, taskIn, uniqueStudyUid, userIdOf } from '../support/projects'

// The expected access matrix, written out independently of the code that enforces it.
const pages: Record<string, readonly Role[]> = {
  '/': ['radiologist', 'researcher', 'auditor', 'admin'],
  '/viewer': ['radiologist', 'researcher', 'auditor', 'admin'],
  '/studies': ['radiologist', 'researcher'],
  '/worklist': ['radiologist', 'researcher'],
  // The project is projectFixture's: the researcher owns it and it names the radiologist.
  '/projects': ['radiologist', 'researcher', 'auditor', 'admin'],
  '/projects/[id]': ['radiologist', 'researcher', 'auditor', 'admin'],
  '/projects/[id]/queue': ['radiologist', 'researcher'],
  '/audit': ['auditor', 'admin'],
  '/admin/users': ['admin'],
  '/admin/pacs': ['admin'],
  '/admin/models': ['admin'],
}
const publicPages = ['/login']

interface ApiCase {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE'
  path: string
  allowed: readonly Role[]
  okStatus: number
  body?: (api: APIRequestContext, reads?: ReadFixture, project?: ProjectFixture) => Promise<unknown>
  query?: () => string
  multipart?: () => Record<string, string | { name: string; mimeType: string; buffer: Buffer }>
}

// A model file served from the test process, for the admin's add-by-URL case.
let modelUrl = ''
const uniqueModelId = () =>
  uniqueUsername('m')
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-')
    .slice(0, 60)

// A user for the PATCH cases to act on (the admin's PATCH really changes its role), a
// PACS server that the admin's PATCH renames and DELETE removes, and one that stays for the
// token cases (roles run in parallel, the admin's DELETE may come first).
let patchTargetId = ''
let pacsTargetId = ''
let pacsTokenTargetId = ''
// An address nothing listens on: these servers are only configured, never queried.
const pacsBody = () => ({ name: uniqueUsername('matrix-pacs'), qidoRoot: 'http://127.0.0.1:9/dicom-web', wadoRoot: 'http://127.0.0.1:9/dicom-web' })

const apiCases: ApiCase[] = [
  { method: 'GET', path: '/api/me', allowed: roles, okStatus: 200 },
  { method: 'GET', path: '/api/admin/users', allowed: ['admin'], okStatus: 200 },
  {
    method: 'POST',
    path: '/api/admin/users',
    allowed: ['admin'],
    okStatus: 201,
    body: async () => ({ username: uniqueUsername('matrix'), displayName: 'Matrix User', role: 'researcher', password: 'matrix-password-1' }),
  },
  { method: 'PATCH', path: '/api/admin/users/[id]', allowed: ['admin'], okStatus: 200, body: async () => ({ role: 'auditor' }) },
  { method: 'GET', path: '/api/pacs', allowed: roles, okStatus: 200 },
  // PACS access tokens: read for the roles that read studies; no role outside them gets one.
  { method: 'POST', path: '/api/pacs/[id]/token', allowed: ['radiologist', 'researcher'], okStatus: 200, body: async () => ({ scope: 'read' }) },
  { method: 'POST', path: '/api/admin/pacs', allowed: ['admin'], okStatus: 201, body: async () => pacsBody() },
  { method: 'PATCH', path: '/api/admin/pacs/[id]', allowed: ['admin'], okStatus: 200, body: async () => ({ name: uniqueUsername('renamed-pacs') }) },
  { method: 'DELETE', path: '/api/admin/pacs/[id]', allowed: ['admin'], okStatus: 204 },
  { method: 'GET', path: '/api/models', allowed: roles, okStatus: 200 },
  // The brain model's file is registered at start from the shared data folder, when it is there.
  { method: 'GET', path: '/api/models/[id]/file', allowed: roles, okStatus: existsSync(sharedDataPath('models', 'brain-tissue-3class', 'model.onnx')) ? 200 : 404 },
  { method: 'POST', path: '/api/admin/models', allowed: ['admin'], okStatus: 201, body: async () => ({ manifest: reluManifest({ id: uniqueModelId() }), url: modelUrl }) },
  {
    method: 'POST',
    path: '/api/admin/models/upload',
    allowed: ['admin'],
    okStatus: 201,
    multipart: () => ({
      manifest: JSON.stringify(reluManifest({ id: uniqueModelId() })),
      file: { name: 'model.onnx', mimeType: 'application/octet-stream', buffer: Buffer.from(reluModelBytes) },
    }),
  },
  { method: 'GET', path: '/api/demo', allowed: roles, okStatus: 200 },
  { method: 'GET', path: '/api/demo/[key]/[file]', allowed: roles, okStatus: 200 },
  { method: 'GET', path: '/api/audit/events', allowed: ['auditor', 'admin'], okStatus: 200 },
  { method: 'GET', path: '/api/audit/verify', allowed: ['auditor', 'admin'], okStatus: 200 },
  { method: 'POST', path: '/api/audit/checkpoints', allowed: ['auditor', 'admin'], okStatus: 200 },
  {
    method: 'POST',
    path: '/api/audit/client-events',
    allowed: roles,
    okStatus: 201,
    body: async () => ({ type: 'study-opened', source: 'local', studyInstanceUid: '1.2.3', seriesInstanceUids: ['1.2.3.4'], instanceCount: 1 }),
  },
  // Second reads: ids come from readFixture (the role's own reads where it has any).
  { method: 'GET', path: '/api/worklist', allowed: ['radiologist', 'researcher'], okStatus: 200 },
  { method: 'GET', path: '/api/reads', allowed: ['radiologist', 'researcher', 'auditor'], okStatus: 200, query: () => '?study=1.2.826.0.1.3680043.9.7433.1' },
  { method: 'POST', path: '/api/reads', allowed: ['radiologist', 'researcher'], okStatus: 200, body: async () => ({ study: matrixStudy() }) },
  { method: 'GET', path: '/api/reads/[id]', allowed: ['radiologist', 'researcher', 'auditor'], okStatus: 200 },
  { method: 'POST', path: '/api/reads/[id]/findings', allowed: ['radiologist', 'researcher'], okStatus: 201, body: async () => readerFinding() },
  { method: 'PATCH', path: '/api/reads/[id]/findings/[findingId]', allowed: ['radiologist', 'researcher'], okStatus: 200, body: async () => ({ action: 'modify', label: 'Mass' }) },
  {
    method: 'POST',
    path: '/api/reads/[id]/signature',
    allowed: ['radiologist'],
    okStatus: 201,
    body: async (api, reads) => ({ password: demoAccount('radiologist').password, meaning: 'review', contentHash: await shownContentHash(api, reads?.openId) }),
  },
  { method: 'POST', path: '/api/reads/[signed]/amendments', allowed: ['radiologist'], okStatus: 201, body: async () => ({ reason: 'access matrix amendment' }) },
  { method: 'POST', path: '/api/reads/[signed]/exports', allowed: ['radiologist', 'auditor'], okStatus: 204, body: async () => ({ destination: 'download', pacsId: null }) },
  // Annotation projects: ids come from projectFixture (a project of the researcher's naming
  // the radiologist and the researcher; the role's own task where it annotates).
  { method: 'GET', path: '/api/projects', allowed: roles, okStatus: 200 },
  {
    method: 'POST',
    path: '/api/projects',
    allowed: ['researcher', 'admin'],
    okStatus: 201,
    body: async () => ({ name: 'Access matrix project', description: '', labelSchema: projectLabelSchema }),
  },
  { method: 'GET', path: '/api/projects/[id]', allowed: roles, okStatus: 200 },
  { method: 'PATCH', path: '/api/projects/[id]', allowed: ['researcher', 'admin'], okStatus: 200, body: async () => ({ description: uniqueUsername('renamed project') }) },
  {
    method: 'POST',
    path: '/api/projects/[id]/studies',
    allowed: ['researcher', 'admin'],
    okStatus: 201,
    body: async () => ({ studies: [{ studyInstanceUid: uniqueStudyUid() }] }),
  },
  {
    method: 'POST',
    path: '/api/projects/[id]/annotators',
    allowed: ['researcher', 'admin'],
    okStatus: 201,
    body: async () => ({ annotators: [{ username: projectManagerUsername, role: 'manager' }] }),
  },
  { method: 'GET', path: '/api/projects/[id]/queue', allowed: ['radiologist', 'researcher'], okStatus: 200 },
  { method: 'POST', path: '/api/projects/[id]/tasks/[taskId]/open', allowed: ['radiologist', 'researcher'], okStatus: 200 },
  { method: 'POST', path: '/api/projects/[id]/tasks/[taskId]/submission', allowed: ['radiologist', 'researcher'], okStatus: 201, body: async () => submissionBody() },
  {
    method: 'POST',
    path: '/api/projects/[id]/agreement',
    allowed: ['researcher', 'admin'],
    okStatus: 201,
    body: async (_api, _reads, project) => ({
      records: [
        {
          studyId: project?.studyId ?? 'unknownstudy',
          segmentNumber: 1,
          submissionAId: project?.submissionIds[0] ?? 'a',
          submissionBId: project?.submissionIds[1] ?? 'b',
          dice: 0.8,
          jaccard: 0.6667,
          hd95Mm: 2,
          assdMm: 0.5,
          volumeDifferenceMl: 0.1,
        },
      ],
    }),
  },
  {
    method: 'POST',
    path: '/api/projects/[id]/consensus',
    allowed: ['researcher', 'admin'],
    okStatus: 201,
    body: async (_api, _reads, project) => {
      const { figures: _figures, ...seg } = submissionBody(null)
      return { studyId: project?.studyId ?? 'unknownstudy', method: 'majority', submissionIds: project?.submissionIds ?? ['a', 'b'], ...seg }
    },
  },
  { method: 'GET', path: '/api/audit/statistics', allowed: ['auditor'], okStatus: 200 },
  { method: 'GET', path: '/api/audit/export', allowed: ['auditor', 'admin'], okStatus: 200, query: () => '?format=csv&type=read-signed' },
]
// The proxy in front of a PACS asks /api/pacs/authorize with a token, not a session.
const publicApi = ['/api/health', '/api/auth/[...nextauth]', '/api/pacs/authorize']

let studyCounter = 0
const matrixStudy = () => ({
  studyInstanceUid: `1.2.826.0.1.3680043.9.7433.${Date.now()}.${++studyCounter}`,
  studyDescription: 'Access matrix',
  studyDate: '20261127',
  accessionNumber: '',
  modality: 'CT',
  source: 'local',
  sourceRef: null,
})
const readerFinding = () => ({
  origin: 'reader',
  label: 'Lung nodule',
  location: { kind: 'point', seriesInstanceUid: '1.2.3', sopInstanceUid: '1.2.3.4', frameOfReferenceUid: null, sliceIndex: 0, points: [[1, 2, 3]] },
  measurementMm: 5,
  note: null,
})

/** The content hash of a read as the API shows it to this session (what a signature must carry), or a stand-in when it cannot see it. */
async function shownContentHash(api: APIRequestContext, readId: string | undefined): Promise<string> {
  const response = readId ? await api.get(`/api/reads/${readId}`) : null
  return response?.ok() ? ((await response.json()) as { contentHash: string }).contentHash : '0'.repeat(64)
}

interface ReadFixture {
  openId: string
  findingId: string
  signedId: string
}

/** An open read with one finding, for the role when it reads (else the radiologist's), and a signed clinical read. */
async function readFixture(baseURL: string, role: Role): Promise<ReadFixture> {
  const owner = role === 'researcher' ? 'researcher' : 'radiologist'
  const api = await apiSession(baseURL, demoAccount(owner).username, demoAccount(owner).password)
  const open = async () => {
    const read = await api.post('/api/reads', { data: { study: matrixStudy() } })
    expect(read.status()).toBe(200)
    const { id } = (await read.json()) as { id: string }
    const added = await api.post(`/api/reads/${id}/findings`, { data: readerFinding() })
    expect(added.status()).toBe(201)
    return { id, findingId: ((await added.json()) as { findings: { id: string }[] }).findings[0]!.id }
  }
  const opened = await open()
  const radiologist = owner === 'radiologist' ? api : await apiSession(baseURL, demoAccount('radiologist').username, demoAccount('radiologist').password)
  const read = await radiologist.post('/api/reads', { data: { study: matrixStudy() } })
  const { id: signedId } = (await read.json()) as { id: string }
  const shown = await radiologist.post(`/api/reads/${signedId}/findings`, { data: readerFinding() })
  expect(shown.status()).toBe(201)
  const { contentHash } = (await shown.json()) as { contentHash: string }
  expect((await radiologist.post(`/api/reads/${signedId}/signature`, { data: { password: demoAccount('radiologist').password, meaning: 'approval', contentHash } })).status()).toBe(
    201,
  )
  if (radiologist !== api) await radiologist.dispose()
  await api.dispose()
  return { openId: opened.id, findingId: opened.findingId, signedId }
}

// A researcher who manages the projects the admin's and the researcher's POST annotators name (made in beforeAll).
let projectManagerUsername = ''

interface ProjectFixture {
  id: string
  /** The role's own task on the second study (where it annotates), else the researcher's. */
  taskId: string
  /** The first study, both annotators' submissions on it. */
  studyId: string
  submissionIds: string[]
}

/** A project of the researcher's with two studies, annotated by the researcher and the radiologist; both submitted the first. */
async function projectFixture(baseURL: string, role: Role): Promise<ProjectFixture> {
  const owner = await apiSession(baseURL, demoAccount('researcher').username, demoAccount('researcher').password)
  const radiologist = await apiSession(baseURL, demoAccount('radiologist').username, demoAccount('radiologist').password)
  const [first, second] = [uniqueStudyUid(), uniqueStudyUid()]
  const created = await createProjectThrough(owner, [first, second], [demoAccount('researcher').username, demoAccount('radiologist').username])
  const ownerId = await userIdOf(owner)
  const radiologistId = await userIdOf(radiologist)
  await annotate(radiologist, created.id, taskIn(created, first, radiologistId).id)
  await annotate(owner, created.id, taskIn(created, first, ownerId).id)
  const project = (await (await owner.get(`/api/projects/${created.id}`)).json()) as typeof created
  await Promise.all([owner.dispose(), radiologist.dispose()])
  const study = project.studies.find((candidate) => candidate.studyInstanceUid === first)!
  return {
    id: project.id,
    taskId: taskIn(project, second, role === 'radiologist' ? radiologistId : ownerId).id,
    studyId: study.id,
    submissionIds: study.tasks.map((task) => task.submission!.id),
  }
}

function routesInApp(): { pages: string[]; api: string[] } {
  const found = { pages: [] as string[], api: [] as string[] }
  const walk = (dir: string, segments: string[]) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) {
        const isGroup = entry.name.startsWith('(') && entry.name.endsWith(')')
        walk(path.join(dir, entry.name), isGroup ? segments : [...segments, entry.name])
      } else if (entry.name === 'page.tsx') found.pages.push('/' + segments.join('/'))
      else if (entry.name === 'route.ts') found.api.push('/' + segments.join('/'))
    }
  }
  walk(path.resolve('app'), [])
  return found
}

test('the matrix covers every page and route handler in app/', () => {
  const inApp = routesInApp()
  expect(inApp.pages.sort()).toEqual([...Object.keys(pages), ...publicPages].sort())
  expect([...new Set(inApp.api)].sort()).toEqual([...new Set([...apiCases.map((c) => c.path.replace('[signed]', '[id]')), ...publicApi])].sort())
})

test.describe('pages', () => {
  for (const pagePath of Object.keys(pages)) {
    test(`${pagePath} signed out redirects to the login page`, async ({ page }) => {
      await page.goto(pagePath.replace('[id]', 'unknownproject'))
      await expect(page).toHaveURL(/\/login/)
      await expect(page.getByTestId('login-form')).toBeVisible()
    })
  }

  for (const role of roles) {
    test(`as ${role}`, async ({ browser, baseURL }) => {
      const project = await projectFixture(baseURL!, role)
      const context = await browser.newContext({ baseURL })
      const account = demoAccount(role)
      await signInBrowser(context, account.username, account.password)
      const page = await context.newPage()
      for (const [pagePath, allowed] of Object.entries(pages)) {
        const response = await page.goto(pagePath.replace('[id]', project.id))
        const expected = allowed.includes(role) ? 200 : 403
        expect(response?.status(), `${role} GET ${pagePath}`).toBe(expected)
        if (expected === 403) await expect(page.getByTestId('forbidden')).toBeVisible()
        else await expect(page.getByTestId('current-role')).toBeVisible()
      }
      await context.close()
    })
  }
})

test("a read is its reader's: another radiologist cannot change or sign it, a researcher cannot see a clinical one", async ({ baseURL }) => {
  const admin = await apiSession(baseURL!, demoAccount('admin').username, demoAccount('admin').password)
  const username = uniqueUsername('second-reader')
  const password = 'second-reader-password'
  expect((await admin.post('/api/admin/users', { data: { username, displayName: 'Second Reader', role: 'radiologist', password } })).status()).toBe(201)
  await admin.dispose()
  const reads = await readFixture(baseURL!, 'radiologist')
  const colleague = await apiSession(baseURL!, username, password)
  expect((await colleague.patch(`/api/reads/${reads.openId}/findings/${reads.findingId}`, { data: { action: 'modify', label: 'Mass' } })).status()).toBe(403)
  expect((await colleague.post(`/api/reads/${reads.openId}/findings`, { data: readerFinding() })).status()).toBe(403)
  expect(
    (
      await colleague.post(`/api/reads/${reads.openId}/signature`, { data: { password, meaning: 'review', contentHash: await shownContentHash(colleague, reads.openId) } })
    ).status(),
  ).toBe(403)
  expect((await colleague.get(`/api/reads/${reads.openId}`)).status(), 'radiologists may read clinical reads').toBe(200)
  await colleague.dispose()
  const researcher = await apiSession(baseURL!, demoAccount('researcher').username, demoAccount('researcher').password)
  expect((await researcher.get(`/api/reads/${reads.signedId}`)).status()).toBe(404)
  expect((await researcher.get(`/api/reads/${reads.openId}`)).status()).toBe(404)
  await researcher.dispose()
})

test.describe('API route handlers', () => {
  let modelServer: Server
  test.beforeAll(async () => {
    modelServer = createServer((_request, response) => response.writeHead(200, { 'content-type': 'application/octet-stream' }).end(Buffer.from(reluModelBytes)))
    await new Promise<void>((resolve) => modelServer.listen(0, '127.0.0.1', resolve))
    modelUrl = `http://127.0.0.1:${(modelServer.address() as AddressInfo).port}/relu.onnx`
  })
  test.afterAll(() => modelServer.close())
  test.beforeAll(async ({ baseURL }) => {
    const admin = await apiSession(baseURL!, demoAccount('admin').username, demoAccount('admin').password)
    const created = await admin.post('/api/admin/users', {
      data: { username: uniqueUsername('patch-target'), displayName: 'Patch Target', role: 'researcher', password: 'patch-target-pass' },
    })
    expect(created.status()).toBe(201)
    patchTargetId = ((await created.json()) as { id: string }).id
    const pacs = await admin.post('/api/admin/pacs', { data: pacsBody() })
    expect(pacs.status()).toBe(201)
    pacsTargetId = ((await pacs.json()) as { id: string }).id
    const tokenPacs = await admin.post('/api/admin/pacs', { data: pacsBody() })
    expect(tokenPacs.status()).toBe(201)
    pacsTokenTargetId = ((await tokenPacs.json()) as { id: string }).id
    projectManagerUsername = uniqueUsername('matrix-manager')
    const manager = await admin.post('/api/admin/users', {
      data: { username: projectManagerUsername, displayName: 'Matrix Manager', role: 'researcher', password: 'matrix-manager-pass' },
    })
    expect(manager.status()).toBe(201)
    await admin.dispose()
  })

  const call = async (api: APIRequestContext, apiCase: ApiCase, reads?: ReadFixture, project?: ProjectFixture) => {
    const id = apiCase.path.startsWith('/api/projects/')
      ? (project?.id ?? 'unknownproject')
      : apiCase.path.startsWith('/api/admin/pacs/')
        ? pacsTargetId
        : apiCase.path.startsWith('/api/pacs/')
          ? pacsTokenTargetId
          : apiCase.path.startsWith('/api/models/')
            ? 'brain-tissue-3class'
            : apiCase.path.startsWith('/api/reads/')
              ? (reads?.openId ?? 'unknownread')
              : patchTargetId
    const url =
      apiCase.path
        .replace('[id]', id)
        .replace('[signed]', reads?.signedId ?? 'unknownread')
        .replace('[findingId]', reads?.findingId ?? 'unknownfinding')
        .replace('[taskId]', project?.taskId ?? 'unknowntask')
        .replace('[key]/[file]', 'phantom-clear/slice001.dcm') + (apiCase.query?.() ?? '')
    const data = apiCase.body ? await apiCase.body(api, reads, project) : undefined
    return api.fetch(url, { method: apiCase.method, data, multipart: apiCase.multipart?.() })
  }

  test('signed out: every protected route answers 401', async ({ baseURL }) => {
    const api = await anonymousApi(baseURL!)
    for (const apiCase of apiCases) {
      const response = await call(api, apiCase)
      expect(response.status(), `${apiCase.method} ${apiCase.path}`).toBe(401)
      expect((await response.json()).code).toBe('unauthorized:auth')
    }
    expect((await api.get('/api/health')).status()).toBe(200)
    await api.dispose()
  })

  for (const role of roles) {
    test(`as ${role}`, async ({ baseURL }) => {
      const account = demoAccount(role)
      const reads = await readFixture(baseURL!, role)
      const project = await projectFixture(baseURL!, role)
      const api = await apiSession(baseURL!, account.username, account.password)
      for (const apiCase of apiCases) {
        const response = await call(api, apiCase, reads, project)
        const expected = apiCase.allowed.includes(role) ? apiCase.okStatus : 403
        expect(response.status(), `${role} ${apiCase.method} ${apiCase.path}`).toBe(expected)
      }
      await api.dispose()
    })
  }
})
