import { randomBytes } from 'node:crypto'
import { expect, test, type APIRequestContext, type Page } from '@playwright/test'
import { importPacsTokenKey, newPacsTokenClaims, pacsTokenResponseSchema, signPacsToken } from '../../lib/dicomweb/pacs-token'
import { roles, type Role } from '../../lib/vocabulary/roles'
import { demoAccount, uniqueUsername } from '../support/accounts'
import { apiSession } from '../support/api'
import { signInBrowser } from '../support/browser'
import { missingNginx } from '../support/nginx'
import { missingOrthanc, startOrthanc, type OrthancServer } from '../support/orthanc'
import { e2ePacsProxyKey, e2ePacsTokenKey } from '../support/pacs-keys'
import { startPacsProxy, type PacsProxy } from '../support/pacs-proxy'
import { mrBrainSeries, pacsStudies, pacsStudyFiles } from '../support/pacs-studies'
import { missingSharedData } from '../support/shared-data'

// DICOMweb end to end, against a real Orthanc that asks for its own credential (HTTP Basic),
// behind the proxy a hospital puts in front of its PACS: Debian's nginx running the README's
// configuration (tests/support/pacs-proxy.ts), which checks each browser's access token by
// asking the app (auth_request) and adds the PACS credential itself. An admin configures the PACS, the CSP follows, a radiologist's browser searches
// and retrieves directly with its own token and stores a report with a write token, a
// researcher cannot store, no role ever sees the PACS credential, and the auditor finds each
// search and each token in the trail.
// Orthanc, nginx or the shared data missing: skipped with a notice, or failed under CI=true.
const skipReason =
  missingOrthanc() ??
  missingNginx('the PACS end-to-end tests') ??
  missingSharedData('pet-headneck/PET') ??
  missingSharedData('mr-brain/t2-and-perfusion') ??
  missingSharedData('transfer-syntaxes')
test.skip(skipReason !== null, skipReason ?? '')

// One PACS for the whole file, so its tests run in order in one worker.
test.describe.configure({ mode: 'serial' })

let orthanc: OrthancServer | undefined
let proxy: PacsProxy | undefined
const orthancPassword = randomBytes(12).toString('hex')
const pacsName = uniqueUsername('e2e-pacs')
let pacsId = ''

test.beforeAll(async ({ baseURL }) => {
  test.setTimeout(120_000)
  orthanc = await startOrthanc({ user: { name: 'parallax', password: orthancPassword } })
  await orthanc.upload(pacsStudyFiles())
  proxy = await startPacsProxy({ pacs: orthanc.url, origins: [new URL(baseURL!).origin], authorizeUrl: new URL('/api/pacs/authorize', baseURL).href, proxyKey: e2ePacsProxyKey })
})

test.afterAll(async () => {
  await proxy?.stop()
  await orthanc?.stop()
})

interface AuditEventRow {
  eventType: string
  eventCode: string
  eventTypeCode: string | null
  actor: { username: string } | null
  entities: { type: string; id: string }[]
  details: Record<string, unknown>
}

/** The PACS credential in any form a leak could take: the header value, its base64 part, the password. */
function expectNoCredential(text: string, where: string) {
  const credential = orthanc!.authorization!
  for (const secret of [credential, credential.slice('Basic '.length), orthancPassword]) expect(text.includes(secret), `${where} carries the PACS credential`).toBe(false)
}

async function sessionAs(baseURL: string, role: Role): Promise<APIRequestContext> {
  const account = demoAccount(role)
  return apiSession(baseURL, account.username, account.password)
}

const requestToken = (api: APIRequestContext, scope: 'read' | 'write', id = pacsId) => api.post(`/api/pacs/${id}/token`, { data: { scope } })

/** A request straight to the proxy, as any program holding a token could send it. */
function throughProxy(authorization: string | null, method: 'GET' | 'POST' = 'GET') {
  const headers: Record<string, string> = authorization ? { authorization } : {}
  if (method === 'GET') return fetch(`${proxy!.url}/dicom-web/studies?limit=1`, { headers })
  return fetch(`${proxy!.url}/dicom-web/studies`, {
    method,
    headers: { ...headers, 'content-type': 'multipart/related; type="application/dicom"; boundary=x' },
    body: '--x--\r\n',
  })
}

const rowUids = (page: Page) => page.getByTestId('study-row').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-study-uid')))
const uidsOf = (...names: (keyof typeof pacsStudies)[]) => names.map((name) => pacsStudies[name].studyInstanceUid)

// Signed in through the API (the login form has its own tests): a form sign-in racing
// hydration on a busy machine is not what these tests are about.
async function signIn(page: Page, role: 'radiologist' | 'admin') {
  const account = demoAccount(role)
  await signInBrowser(page.context(), account.username, account.password)
}

async function openStudiesAsRadiologist(page: Page) {
  await signIn(page, 'radiologist')
  await page.goto('/studies')
  await expect(page.getByTestId('study-search-form')).toBeVisible()
  await page.getByTestId('pacs-select').selectOption({ label: pacsName })
}

test('an admin adds the PACS on the admin page, and the CSP admits its origin', async ({ page }) => {
  await signIn(page, 'admin')
  await page.goto('/admin/pacs')
  await expect(page.getByTestId('pacs-form')).toBeVisible()

  // The server's own validation speaks to the admin.
  await page.getByTestId('pacs-name').fill(pacsName)
  await page.getByTestId('pacs-qido-root').fill(`http://user:secret@${new URL(proxy!.url).host}/dicom-web`)
  await page.getByTestId('pacs-wado-root').fill(`${proxy!.url}/dicom-web`)
  await page.getByTestId('pacs-submit').click()
  await expect(page.getByTestId('pacs-message')).toContainText('must not contain a user name or password')

  await page.getByTestId('pacs-qido-root').fill(`${proxy!.url}/dicom-web/`)
  // The PACS's own credential, which the proxy will be handed: no browser gets it.
  await page.getByTestId('pacs-auth-header').fill(orthanc!.authorization!)
  await page.getByTestId('pacs-submit').click()
  await expect(page.getByTestId('pacs-message')).toHaveText(`Added ${pacsName}.`)
  const row = page.locator(`[data-testid="pacs-row"][data-pacs-name="${pacsName}"]`)
  await expect(row).toContainText(`${proxy!.url}/dicom-web`)
  await expect(row).toContainText('Header set')

  const answer = await page.request.get('/api/pacs')
  const servers = (await answer.json()) as Record<string, unknown>[]
  const saved = servers.find((server) => server.name === pacsName)
  expect(saved).toMatchObject({ qidoRoot: `${proxy!.url}/dicom-web`, hasAuthHeader: true })
  expect(saved).not.toHaveProperty('authHeader')
  expectNoCredential(await answer.text(), 'GET /api/pacs as admin')
  pacsId = String(saved!.id)

  const response = await page.goto('/studies')
  expect(response?.headers()['content-security-policy']).toMatch(new RegExp(`connect-src 'self'[^;]* ${proxy!.url.replaceAll('.', '\\.')}[ ;]`))
})

test('a radiologist searches the PACS from the browser, filters, sorts and opens a study', async ({ page }) => {
  await openStudiesAsRadiologist(page)
  await page.getByTestId('study-search-submit').click()
  await expect(page.getByTestId('study-row')).toHaveCount(Object.keys(pacsStudies).length)
  await expect(page.getByTestId('study-result-count')).toHaveText('6 studies')
  // Newest first by default.
  await expect(page.getByTestId('study-row').first()).toHaveAttribute('data-study-uid', pacsStudies.mrBrain.studyInstanceUid)

  await page.getByTestId('study-sort-patientName').click()
  await expect.poll(() => rowUids(page)).toEqual(uidsOf('ct1', 'ct2', 'chestCt', 'perfusionCt', 'pet', 'mrBrain'))
  await expect(page.getByTestId('study-row').first()).toContainText('CompressedSamples, CT1')
  await page.getByTestId('study-sort-patientName').click()
  await expect.poll(() => rowUids(page)).toEqual(uidsOf('mrBrain', 'pet', 'perfusionCt', 'chestCt', 'ct2', 'ct1'))

  await page.getByTestId('study-search-patient').fill('compressedsamples')
  await page.getByTestId('study-search-submit').click()
  await expect.poll(() => rowUids(page)).toEqual(uidsOf('ct2', 'ct1'))

  await page.getByTestId('study-search-patient').fill('')
  await page.getByTestId('study-search-modality').selectOption('MR')
  await page.getByTestId('study-search-submit').click()
  await expect.poll(() => rowUids(page)).toEqual(uidsOf('mrBrain'))
  const row = page.getByTestId('study-row').first()
  await expect(row).toContainText('2012-04-14')
  await expect(row).toContainText('3 / 57')
  await expect(row.getByTestId('study-open')).toHaveAttribute('href', `/viewer?pacs=${pacsId}&study=${pacsStudies.mrBrain.studyInstanceUid}`)

  await page.getByTestId('study-search-modality').selectOption('')
  await page.getByTestId('study-search-date-from').fill('2000-01-01')
  await page.getByTestId('study-search-date-to').fill('2005-01-01')
  await page.getByTestId('study-search-submit').click()
  await expect(page.getByTestId('study-row')).toHaveCount(3)
})

test('the auditor finds each search in the trail, with the fields searched but not the values', async ({ baseURL }) => {
  const auditor = demoAccount('auditor')
  const api = await apiSession(baseURL!, auditor.username, auditor.password)
  const { events } = (await (await api.get('/api/audit/events?limit=200')).json()) as { events: AuditEventRow[] }
  const queries = events.filter((event) => event.eventType === 'study-query' && event.entities.some((entity) => entity.type === 'pacs' && entity.id === pacsId)).reverse()
  expect(queries.map((event) => [event.actor?.username, event.eventCode, event.details.filters, event.details.resultCount])).toEqual([
    ['radiologist', '110112', '', 6],
    ['radiologist', '110112', 'patientName', 2],
    ['radiologist', '110112', 'modality', 1],
    ['radiologist', '110112', 'studyDateFrom,studyDateTo', 3],
  ])
  expect(JSON.stringify(queries)).not.toMatch(/compressed/i)

  // The searches ran on tokens issued to the radiologist, each issuance recorded (110114 / ITI-71).
  const issued = (await (await api.get('/api/audit/events?type=pacs-token-issued&limit=200')).json()) as { events: AuditEventRow[] }
  const forThisPacs = issued.events.filter((event) => event.entities.some((entity) => entity.type === 'pacs' && entity.id === pacsId))
  expect(forThisPacs.length).toBeGreaterThan(0)
  for (const event of forThisPacs) {
    expect([event.eventCode, event.eventTypeCode, event.actor?.username, event.details.scope]).toEqual(['110114', 'ITI-71', 'radiologist', 'read'])
    expect(Date.parse(String(event.details.expiresAt))).toBeGreaterThan(0)
  }
  await api.dispose()
})

test('opening a study retrieves it from the PACS in the browser and renders it', async ({ page, baseURL }) => {
  test.setTimeout(120_000)
  await signIn(page, 'radiologist')
  const pacsRequests: string[] = []
  page.on('request', (request) => {
    if (/^https?:/.test(request.url()) && !request.url().startsWith(baseURL!)) pacsRequests.push(request.url())
  })
  await page.goto('/studies')
  await page.getByTestId('pacs-select').selectOption({ label: pacsName })
  await page.getByTestId('study-search-submit').click()
  const row = page.locator(`[data-testid="study-row"][data-study-uid="${pacsStudies.pet.studyInstanceUid}"]`)
  await row.getByTestId('study-open').click()
  await expect(page).toHaveURL(/\/viewer\?pacs=/)
  const main = page.getByTestId('viewport-main')
  await expect(main).toHaveAttribute('data-total-slices', String(pacsStudies.pet.instanceCount), { timeout: 60_000 })
  await expect(main).toHaveAttribute('data-loaded-slices', String(pacsStudies.pet.instanceCount), { timeout: 90_000 })
  await expect(page.getByTestId('series-item')).toHaveCount(pacsStudies.pet.seriesCount)
  const shot = await main.screenshot()
  expect(shot.length).toBeGreaterThan(5_000)
  // Pixels came straight from the PACS (through its proxy), frame by frame.
  expect(pacsRequests.some((url) => url.startsWith(proxy!.url) && url.includes('/frames/'))).toBe(true)
  expect(pacsRequests.every((url) => url.startsWith(proxy!.url))).toBe(true)
  // …and nginx passed each frame the page asked for, on the radiologist's token.
  const frames = pacsRequests.filter((url) => url.includes('/frames/')).map((url) => url.slice(proxy!.url.length))
  await expect
    .poll(() => {
      const passed = new Set(
        proxy!
          .requests()
          .filter((request) => request.status === 200)
          .map((request) => request.uri),
      )
      return frames.filter((uri) => !passed.has(uri))
    }, "frames missing from nginx's access log")
    .toEqual([])
  // …on a cross-origin isolated page (COOP/COEP, for multi-threaded WASM): the PACS on its
  // own origin is reached in CORS mode.
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(true)
})

/** GET straight from Orthanc (no proxy, no browser): what the PACS holds, to check the viewer's requests against. */
async function fromOrthanc(path: string): Promise<Record<string, { Value?: unknown[] }>[]> {
  const response = await fetch(`${orthanc!.dicomWebRoot}${path}`, { headers: { accept: 'application/dicom+json', authorization: orthanc!.authorization! } })
  expect(response.ok, path).toBe(true)
  return (await response.json()) as Record<string, { Value?: unknown[] }>[]
}

test('retrieval streams: every series’ metadata is asked for at once, the initial slice’s frame first, and the image shows before the last frame arrives', async ({ page }) => {
  test.setTimeout(120_000)
  const study = pacsStudies.mrBrain
  // What the viewer must open on, read from Orthanc: the lowest-numbered series (AX FSE T2),
  // axial, so its most superior slice (largest patient z).
  const series = (await fromOrthanc(`/studies/${study.studyInstanceUid}/series`)).sort((a, b) => Number(a['00200011']!.Value![0]) - Number(b['00200011']!.Value![0]))
  const shownSeries = String(series[0]!['0020000E']!.Value![0])
  const slices = await fromOrthanc(`/studies/${study.studyInstanceUid}/series/${shownSeries}/metadata`)
  const z = (instance: Record<string, { Value?: unknown[] }>) => Number(instance['00200032']!.Value![2])
  const head = slices.reduce((best, instance) => (z(instance) > z(best) ? instance : best))
  const headFrame = `/series/${shownSeries}/instances/${String(head['00080018']!.Value![0])}/frames/1`

  // The PACS's requests in the order the browser sent them and their answers arrived.
  const events: { kind: 'sent' | 'answered'; url: string }[] = []
  const fromPacs = (url: string) => url.startsWith(proxy!.url)
  page.on('request', (request) => {
    if (fromPacs(request.url()) && request.method() === 'GET') events.push({ kind: 'sent', url: request.url() })
  })
  page.on('requestfinished', (request) => {
    if (fromPacs(request.url()) && request.method() === 'GET') events.push({ kind: 'answered', url: request.url() })
  })
  await signIn(page, 'radiologist')
  await page.goto(`/viewer?pacs=${pacsId}&study=${study.studyInstanceUid}`)
  const main = page.getByTestId('viewport-main')
  await expect(main).toHaveAttribute('data-loaded-slices', String(mrBrainSeries[0]!.instanceCount), { timeout: 90_000 })
  const firstImageAt = await page.evaluate(() => performance.timeOrigin + performance.getEntriesByName('parallax:first-image')[0]!.startTime)
  const framesAnswered = await page.evaluate(
    (series) =>
      (performance.getEntriesByType('resource') as PerformanceResourceTiming[])
        .filter((entry) => entry.name.includes(`/series/${series}/instances/`))
        .map((entry) => performance.timeOrigin + entry.responseEnd),
    shownSeries,
  )

  const metadata = events.filter((event) => event.url.endsWith('/metadata'))
  expect(metadata.filter((event) => event.kind === 'sent')).toHaveLength(study.seriesCount)
  // Sent together: no series' metadata waits for another's answer.
  expect(metadata.slice(0, study.seriesCount).map((event) => event.kind)).toEqual(Array(study.seriesCount).fill('sent'))
  // The shown series' frames (the series browser asks for one frame of each other series, for its thumbnail), each asked for once.
  const frames = events.filter((event) => event.kind === 'sent' && event.url.includes(`/series/${shownSeries}/instances/`))
  expect(frames.length).toBe(mrBrainSeries[0]!.instanceCount)
  expect(frames[0]!.url.endsWith(headFrame), `first frame asked for: ${frames[0]!.url}`).toBe(true)
  // No frame is asked for before the metadata that orders them has arrived.
  const metadataDone = events.findIndex((event) => event.kind === 'answered' && event.url.includes(`/series/${shownSeries}/metadata`))
  expect(events.findIndex((event) => event.url.includes('/frames/'))).toBeGreaterThan(metadataDone)
  expect(framesAnswered).toHaveLength(frames.length)
  expect(firstImageAt, 'the first image is drawn before the last frame has arrived').toBeLessThan(Math.max(...framesAnswered))
})

test('a signed read of a PACS study is stored back to the PACS as a DICOM SR, from the browser (STOW-RS)', async ({ page, baseURL }) => {
  test.setTimeout(150_000)
  await signIn(page, 'radiologist')
  const study = pacsStudies.pet
  await page.goto(`/viewer?pacs=${pacsId}&study=${study.studyInstanceUid}`)
  const main = page.getByTestId('viewport-main')
  await expect(main).toHaveAttribute('data-loaded-slices', String(study.instanceCount), { timeout: 90_000 })
  await page.getByTestId('start-review').click()
  await page.getByTestId('add-finding').click()
  await expect(page.getByTestId('add-location')).toHaveAttribute('data-kind', 'slice')
  await page.getByTestId('add-label').selectOption('Other')
  await page.getByTestId('add-note').fill('Focal uptake, see image')
  await page.getByTestId('confirm-add').click()
  await expect(page.locator('[data-testid="finding"][data-origin="reader"]')).toHaveCount(1)
  await page.getByTestId('sign-password').fill(demoAccount('radiologist').password)
  await page.getByTestId('sign-read').click()
  await expect(page.getByTestId('signature-manifest')).toHaveAttribute('data-valid', 'true')
  const readId = await page.getByTestId('review-panel').getAttribute('data-read-id')

  const stored: { method: string; url: string; origin: string }[] = []
  page.on('request', (request) => {
    if (request.method() === 'POST') stored.push({ method: request.method(), url: request.url(), origin: new URL(request.url()).origin })
  })
  const reportsIn = async () => {
    const response = await fetch(`${orthanc!.dicomWebRoot}/studies/${study.studyInstanceUid}/series?Modality=SR`, { headers: { authorization: orthanc!.authorization! } })
    expect(response.ok).toBe(true)
    // QIDO-RS may answer an empty result with 204 and no body.
    return response.status === 204 ? 0 : ((await response.json()) as unknown[]).length
  }
  const reportsBefore = await reportsIn()
  await page.getByTestId('store-sr').click()
  await expect(page.getByTestId('store-sr-status')).toContainText(pacsName)
  // The report went from the browser to the PACS; our server only heard that it was exported.
  expect(stored.filter((request) => request.origin === proxy!.url).map((request) => request.url)).toEqual([`${proxy!.url}/dicom-web/studies`])
  expect(await reportsIn()).toBe(reportsBefore + 1)
  const auditor = await apiSession(baseURL!, demoAccount('auditor').username, demoAccount('auditor').password)
  const exported = (await (await auditor.get('/api/audit/events?type=read-exported&limit=20')).json()) as {
    events: { entities: { type: string; id: string }[]; details: { destination: string; pacsId?: string } }[]
  }
  const event = exported.events.find((candidate) => candidate.entities.some((entity) => entity.type === 'read' && entity.id === readId))
  expect(event?.details).toMatchObject({ destination: 'pacs', pacsId })
  await auditor.dispose()
})

test('a researcher cannot store: no write token, and the proxy refuses a store with a read token', async ({ baseURL }) => {
  const researcher = await sessionAs(baseURL!, 'researcher')
  expect((await requestToken(researcher, 'write')).status()).toBe(403)
  const granted = await requestToken(researcher, 'read')
  expect(granted.status()).toBe(200)
  expect(granted.headers()['cache-control']).toBe('no-store')
  const token = pacsTokenResponseSchema.parse(await granted.json())
  expect([token.token_type, token.scope, token.expires_in]).toEqual(['Bearer', 'read', 300])
  const bearer = `Bearer ${token.access_token}`
  expect((await throughProxy(bearer)).status, 'the read token reads').toBe(200)
  const logged = proxy!.requests().length
  expect((await throughProxy(bearer, 'POST')).status).toBe(403)
  expect(await proxy!.loggedSince(logged, 1), "nginx's access log").toEqual([{ method: 'POST', uri: '/dicom-web/studies', status: 403 }])
  await researcher.dispose()

  // The refused write token is on record as an access denied (110113 / 110132).
  const auditor = await sessionAs(baseURL!, 'auditor')
  const denied = (await (await auditor.get('/api/audit/events?type=access-denied&limit=200')).json()) as { events: AuditEventRow[] }
  expect(
    denied.events.some(
      (event) => event.actor?.username === 'researcher' && event.entities.some((entity) => entity.type === 'resource' && entity.id === `/api/pacs/${pacsId}/token`),
    ),
  ).toBe(true)
  await auditor.dispose()
})

test('as a researcher or auditor (or any role) no PACS credential can be obtained from any route', async ({ baseURL }) => {
  const paths = [
    '/api/pacs',
    '/api/me',
    '/api/models',
    '/api/demo',
    '/api/worklist',
    '/api/audit/events?limit=200',
    '/api/audit/events?type=pacs-configured&limit=200',
    '/api/audit/export?format=csv',
    '/api/audit/export?format=fhir',
    '/api/audit/verify',
    '/api/audit/statistics',
    '/',
    '/studies',
    '/viewer',
    '/worklist',
    '/audit',
    '/admin/pacs',
  ]
  for (const role of roles) {
    const api = await sessionAs(baseURL!, role)
    for (const path of paths) {
      const answer = await api.get(path)
      expectNoCredential(await answer.text(), `${role} GET ${path} (HTTP ${answer.status()})`)
    }
    const granted = await requestToken(api, 'read')
    if (role === 'auditor' || role === 'admin') {
      expect(granted.status(), `${role} gets no token`).toBe(403)
      expect((await requestToken(api, 'write')).status(), `${role} gets no write token`).toBe(403)
    } else {
      expect(granted.status(), `${role} gets a read token`).toBe(200)
      const text = await granted.text()
      expectNoCredential(text, `${role}'s token answer`)
      const { access_token: token } = pacsTokenResponseSchema.parse(JSON.parse(text))
      expectNoCredential(Buffer.from(token.split('.')[1]!, 'base64url').toString(), `${role}'s token claims`)
      // Holding a token does not get the credential out of the proxy's endpoint either:
      // without the proxy key it answers 403 and hands nothing over.
      for (const key of [null, `${e2ePacsProxyKey}-guessed`]) {
        const direct = await api.get('/api/pacs/authorize', {
          headers: {
            authorization: `Bearer ${token}`,
            'x-original-method': 'GET',
            'x-original-url': `${proxy!.url}/dicom-web/studies`,
            ...(key ? { 'x-parallax-proxy-key': key } : {}),
          },
        })
        expect(direct.status(), `${role} at /api/pacs/authorize with proxy key ${key}`).toBe(403)
        expect(direct.headers()['x-pacs-authorization']).toBeUndefined()
      }
    }
    await api.dispose()
  }
})

test('the proxy refuses an expired or tampered token, and one Parallax did not sign', async ({ baseURL }) => {
  const researcher = await sessionAs(baseURL!, 'researcher')
  const me = (await (await researcher.get('/api/me')).json()) as { id: string }
  const token = pacsTokenResponseSchema.parse(await (await requestToken(researcher, 'read')).json()).access_token
  await researcher.dispose()
  expect((await throughProxy(`Bearer ${token}`)).status).toBe(200)

  const [header, payload, signature] = token.split('.') as [string, string, string]
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>
  const tampered = (change: Record<string, unknown>) => `Bearer ${header}.${Buffer.from(JSON.stringify({ ...claims, ...change })).toString('base64url')}.${signature}`
  for (const forged of [
    tampered({ scope: 'read write' }),
    tampered({ exp: Number(claims.exp) + 3600 }),
    tampered({ sub: 'another-user' }),
    `Bearer ${header}.${payload}.${signature.slice(0, -4)}AAAA`,
  ]) {
    expect((await throughProxy(forged)).status, forged).toBe(401)
    expect((await throughProxy(forged, 'POST')).status, forged).toBe(401)
  }

  // Signed with the server's key (set for the test server, playwright.config.ts): a fresh
  // token passes, the same token five minutes old does not.
  const key = await importPacsTokenKey(new TextEncoder().encode(e2ePacsTokenKey))
  const signedAt = (now: number, signingKey = key) => signPacsToken(signingKey, newPacsTokenClaims({ userId: me.id, pacsId, scope: 'read', now, id: `e2e-${now}` }))
  expect((await throughProxy(`Bearer ${await signedAt(Date.now())}`)).status).toBe(200)
  expect((await throughProxy(`Bearer ${await signedAt(Date.now() - 301_000)}`)).status).toBe(401)
  expect((await throughProxy(`Bearer ${await signedAt(Date.now(), await importPacsTokenKey(randomBytes(32)))}`)).status).toBe(401)
  // Nothing, or the PACS's own credential sent by a client, gets nowhere: the proxy wants a token.
  expect((await throughProxy(null)).status).toBe(401)
  expect((await throughProxy(orthanc!.authorization)).status).toBe(401)
})

test('an admin edits the PACS credential; a wrong one reaches the reader as a credentials problem', async ({ page, browser, baseURL }) => {
  const adminContext = await browser.newContext({ baseURL })
  const adminPage = await adminContext.newPage()
  await signIn(adminPage, 'admin')
  await adminPage.goto('/admin/pacs')
  await adminPage.locator(`[data-testid="pacs-row"][data-pacs-name="${pacsName}"]`).getByTestId('pacs-edit').click()
  await expect(adminPage.getByTestId('pacs-name')).toHaveValue(pacsName)
  await adminPage.getByTestId('pacs-auth-header').fill(`Basic ${Buffer.from('parallax:revoked').toString('base64')}`)
  await adminPage.getByTestId('pacs-submit').click()
  await expect(adminPage.getByTestId('pacs-message')).toHaveText(`Saved ${pacsName}.`)
  await adminContext.close()

  await openStudiesAsRadiologist(page)
  await page.getByTestId('study-search-submit').click()
  await expect(page.getByTestId('study-search-error')).toContainText('asks for credentials (HTTP 401)')
  await expect(page.getByTestId('study-row')).toHaveCount(0)
})

test('removing the PACS takes it out of the study list and its origin out of the CSP, and ends its tokens', async ({ page, browser, baseURL }) => {
  const radiologist = await sessionAs(baseURL!, 'radiologist')
  const token = pacsTokenResponseSchema.parse(await (await requestToken(radiologist, 'read')).json()).access_token
  await signIn(page, 'admin')
  await page.goto('/admin/pacs')
  page.once('dialog', (dialog) => void dialog.accept())
  await page.locator(`[data-testid="pacs-row"][data-pacs-name="${pacsName}"]`).getByTestId('pacs-remove').click()
  await expect(page.getByTestId('pacs-message')).toHaveText(`Removed ${pacsName}.`)

  // A second after the admin page was served with the old list, well inside the proxy's
  // 15 s cache: the new policy shows the removal (a route handler) invalidated the cache
  // the proxy reads, though they are separate bundles.
  const response = await page.goto('/admin/pacs')
  expect(response?.headers()['content-security-policy']).not.toContain(proxy!.url)
  const readerContext = await browser.newContext({ baseURL })
  const reader = demoAccount('radiologist')
  await signInBrowser(readerContext, reader.username, reader.password)
  const readerPage = await readerContext.newPage()
  const studies = await readerPage.goto('/studies')
  expect(studies?.headers()['content-security-policy']).not.toContain(proxy!.url)
  await expect(readerPage.getByTestId('study-search-form').or(readerPage.getByTestId('pacs-none'))).toBeVisible()
  await expect(readerPage.locator('[data-testid="pacs-select"] option', { hasText: pacsName })).toHaveCount(0)
  await readerContext.close()

  // A token issued before the removal is refused from then on, and no new one is issued.
  expect((await throughProxy(`Bearer ${token}`)).status).toBe(403)
  expect((await requestToken(radiologist, 'read')).status()).toBe(404)
  await radiologist.dispose()
})
