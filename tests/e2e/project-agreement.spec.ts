import { copyFileSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { expect, test, type BrowserContext, type Page } from '@playwright/test'
import { countVoxels, type MaskVolume } from '../../lib/agreement/mask-volume'
import { taskViewerHref, type ProjectDto } from '../../lib/annotation-projects/schema'
import { generateChestPhantom } from '../../lib/synthetic/chest-phantom'
import { studyIdentity } from '../../lib/synthetic/studies'
import { demoAccount, uniqueUsername } from '../support/accounts'
import { ellipsoidMask, type Grid } from '../support/agreement-masks'
import { missingScipy, referenceFigures } from '../support/agreement-reference'
import { apiSession } from '../support/api'
import { signInBrowser } from '../support/browser'
import { writePhantomStudy } from '../support/phantom-study'
import { createProjectThrough, taskIn, userIdOf } from '../support/projects'
import { pixelLeak, recordRequests, type LoggedRequest } from '../support/request-log'
import { ViewerPage } from '../pages/viewer-page'

// Inter-annotator agreement end to end. Two annotators (a second researcher and the demo
// radiologist) each annotate two generated phantom studies in the viewer, opened from their
// queue address (/viewer?project=&task=): each paints a mask made here (ellipsoids, a
// different centre and size per annotator and study), submits (the SEG is downloaded) and
// the server records the SEG's UID, hash and figures. The owner opens the four SEGs with the
// two series on the dashboard; the agreement computed in the browser equals the SciPy
// reference on the same masks (Dice within 1e-6, HD95 and ASSD within 0.01 mm), is recorded,
// and the study table shows it. Every request of the three browsers is captured: only small
// JSON records (numbers, UIDs) reached our server, never a SEG's or an image's bytes.

const grid = { columns: 96, rows: 80, slices: 24, pixelSpacing: 0.8, sliceSpacing: 2.5 }
const maskGrid: Grid = { columns: grid.columns, rows: grid.rows, slices: grid.slices, spacing: [grid.pixelSpacing, grid.pixelSpacing, grid.sliceSpacing] }

/** Annotator `who` (0, 1) on study `study` (0, 1): deterministic, and different for each. */
const maskOf = (study: number, who: number): MaskVolume =>
  ellipsoidMask(maskGrid, [44 + 6 * who + 3 * study, 38 - 4 * who, 11 + who], [12 + 2 * who - study, 10 + 3 * study, 9 + 2 * who])

function indicesOf(mask: MaskVolume): number[] {
  const on: number[] = []
  mask.data.forEach((value, index) => value && on.push(index))
  return on
}

/** The study's series: the project's segment 1 painted into the document the task panel made. */
async function paint(page: Page, indices: number[]) {
  await expect
    .poll(() => page.evaluate(() => !!window.parallaxWorkspace?.labelmaps.entryFor(window.parallaxWorkspace.studies.snapshot.selected?.series.seriesInstanceUid)))
    .toBe(true)
  await page.evaluate((on) => {
    const workspace = window.parallaxWorkspace!
    const document = workspace.labelmaps.entryFor(workspace.studies.snapshot.selected!.series.seriesInstanceUid)!.document
    document.transact('Brush', (edit) => {
      for (const index of on) edit.paint(index, 1)
    })
  }, indices)
}

function expectOnlyRecords(log: readonly LoggedRequest[], origin: string) {
  for (const request of log) expect(pixelLeak(request, origin), `${request.method} ${request.url}`).toBeNull()
  for (const request of log.filter((entry) => entry.body && entry.body.length > 0)) {
    expect(request.body!.includes(Buffer.from('DICM')), `${request.url} carries DICOM bytes`).toBe(false)
    expect(request.body!.length, request.url).toBeLessThan(16 * 1024)
  }
}

test.describe('inter-annotator agreement in the browser', () => {
  test.describe.configure({ timeout: 600_000 })

  test('two annotators on two phantom studies; agreement equals the SciPy reference; only records reach the server', async ({ browser, baseURL }) => {
    test.skip(!!missingScipy(), 'needs Python 3 with NumPy and SciPy')
    const origin = new URL(baseURL!).origin
    const studies = [0, 1].map((k) => {
      const seed = 7100 + k
      const identity = studyIdentity(seed, `Agreement${k}`)
      const phantom = generateChestPhantom({
        seed,
        noduleCount: 1,
        columns: grid.columns,
        rows: grid.rows,
        slices: grid.slices,
        pixelSpacing: grid.pixelSpacing,
        sliceSpacing: grid.sliceSpacing,
      })
      return { uid: identity.studyInstanceUid, files: writePhantomStudy(phantom, identity) }
    })

    const admin = await apiSession(baseURL!, demoAccount('admin').username, demoAccount('admin').password)
    const secondName = uniqueUsername('annotator')
    const secondPassword = 'annotator-password-1'
    expect((await admin.post('/api/admin/users', { data: { username: secondName, displayName: 'Second Annotator', role: 'researcher', password: secondPassword } })).status()).toBe(
      201,
    )
    await admin.dispose()
    const owner = demoAccount('researcher')
    const ownerApi = await apiSession(baseURL!, owner.username, owner.password)
    const annotators = [
      { username: secondName, password: secondPassword },
      { username: demoAccount('radiologist').username, password: demoAccount('radiologist').password },
    ]
    const project = await createProjectThrough(
      ownerApi,
      studies.map((study) => study.uid),
      annotators.map((annotator) => annotator.username),
    )

    // Each annotator, each study: open the task in the viewer, paint, submit (downloaded SEG).
    const segDir = mkdtempSync(path.join(tmpdir(), 'parallax-agreement-segs-'))
    const segPaths: string[] = []
    const logs: LoggedRequest[][] = []
    const contexts: BrowserContext[] = []
    const annotatorIds: string[] = []
    for (const [who, annotator] of annotators.entries()) {
      const api = await apiSession(baseURL!, annotator.username, annotator.password)
      annotatorIds.push(await userIdOf(api))
      await api.dispose()
      const context = await browser.newContext({ baseURL, viewport: { width: 1600, height: 1000 }, acceptDownloads: true })
      contexts.push(context)
      logs.push(recordRequests(context))
      await signInBrowser(context, annotator.username, annotator.password)
      const page = await context.newPage()
      const viewer = new ViewerPage(page)
      for (const [k, study] of studies.entries()) {
        const task = taskIn(project, study.uid, annotatorIds[who]!)
        await page.goto(taskViewerHref(project.id, task.id))
        await expect(page.getByTestId('viewer')).toHaveAttribute('data-ready', 'true', { timeout: 30_000 })
        await expect(page.getByTestId('project-task')).toHaveAttribute('data-state', 'open', { timeout: 30_000 })
        await expect(page.getByTestId('project-task-study')).toHaveAttribute('data-study-uid', study.uid)
        await viewer.openFiles(study.files)
        await viewer.waitForSeriesLoaded(study.files.length)
        await paint(page, indicesOf(maskOf(k, who)))
        const download = page.waitForEvent('download')
        await page.getByTestId('project-task-submit').click()
        const segPath = path.join(segDir, `study${k}-annotator${who}.dcm`)
        copyFileSync((await (await download).path())!, segPath)
        segPaths.push(segPath)
        await expect(page.getByTestId('project-task-status')).toContainText('Submitted')
        await expect(page.getByTestId('project-task')).toHaveAttribute('data-state', 'submitted')
      }
    }

    // The server holds the figures of each submission: segment 1's voxels as painted, no correction (no model ran).
    const recorded = (await (await ownerApi.get(`/api/projects/${project.id}`)).json()) as ProjectDto
    for (const [k, study] of studies.entries())
      for (const [who, userId] of annotatorIds.entries()) {
        const submission = taskIn(recorded, study.uid, userId).submission
        expect(submission?.storedAt).toBe('download')
        expect(submission?.figures).toEqual([{ segmentNumber: 1, voxels: countVoxels(maskOf(k, who).data), volumeMl: expect.any(Number), correctionDice: null, aiModel: null }])
      }

    // The owner computes agreement in the browser from the SEGs and the series.
    const ownerContext = await browser.newContext({ baseURL, viewport: { width: 1600, height: 1000 } })
    contexts.push(ownerContext)
    logs.push(recordRequests(ownerContext))
    await signInBrowser(ownerContext, owner.username, owner.password)
    const page = await ownerContext.newPage()
    await page.goto(`/projects/${project.id}`)
    await page.getByTestId('agreement-files').setInputFiles([...segPaths, ...studies.flatMap((study) => study.files)])
    const pairs = page.getByTestId('agreement-pair')
    await expect(pairs).toHaveCount(2, { timeout: 120_000 })
    await expect(page.getByTestId('agreement-panel')).toHaveAttribute('data-state', 'computed')

    const within = (shown: string | null, expected: number | null, tolerance: number, what: string) => {
      if (expected === null) return expect(shown, what).toBe('')
      expect(Math.abs(Number(shown) - expected), `${what}: ${shown} against ${expected}`).toBeLessThanOrEqual(tolerance)
    }
    const references = studies.map((_, k) => referenceFigures(maskOf(k, 0), maskOf(k, 1)))
    for (const [k, study] of studies.entries()) {
      const row = page.locator(`[data-testid="agreement-pair"][data-study-uid="${study.uid}"]`)
      await expect(row).toHaveCount(1)
      expect(await row.getAttribute('data-segment')).toBe('1')
      expect([await row.getAttribute('data-annotator-a'), await row.getAttribute('data-annotator-b')].sort()).toEqual([...annotatorIds].sort())
      const reference = references[k]!
      // The masks differ, so the comparison says something.
      expect(reference.dice).toBeGreaterThan(0.2)
      expect(reference.dice).toBeLessThan(0.95)
      within(await row.getAttribute('data-dice'), reference.dice, 1e-6, `study ${k} Dice`)
      within(await row.getAttribute('data-jaccard'), reference.jaccard, 1e-6, `study ${k} Jaccard`)
      within(await row.getAttribute('data-hd95-mm'), reference.hd95Mm, 0.01, `study ${k} HD95`)
      within(await row.getAttribute('data-assd-mm'), reference.assdMm, 0.01, `study ${k} ASSD`)
      within(await row.getAttribute('data-volume-difference-ml'), reference.volumeDifferenceMl, 1e-6, `study ${k} volume difference`)
    }

    // Recorded: the numbers only; the dashboard's table shows them.
    const agreementPost = page.waitForRequest((request) => request.method() === 'POST' && request.url().endsWith(`/api/projects/${project.id}/agreement`))
    await page.getByTestId('agreement-record').click()
    await expect(page.getByTestId('agreement-status')).toContainText('Agreement recorded for 2 studies')
    const body = JSON.parse((await agreementPost).postData()!) as { records: Record<string, unknown>[] }
    expect(Object.keys(body)).toEqual(['records'])
    expect(body.records).toHaveLength(2)
    for (const record of body.records) {
      expect(Object.keys(record).sort()).toEqual(['assdMm', 'dice', 'hd95Mm', 'jaccard', 'segmentNumber', 'studyId', 'submissionAId', 'submissionBId', 'volumeDifferenceMl'])
      for (const key of ['assdMm', 'dice', 'hd95Mm', 'jaccard', 'segmentNumber', 'volumeDifferenceMl']) expect(typeof record[key], key).toBe('number')
    }
    for (const [k, study] of studies.entries()) await expect(page.locator(`[data-testid="study-row"][data-study-uid="${study.uid}"]`)).toContainText(references[k]!.dice.toFixed(3))

    // What reached our server from the three browsers: records only.
    for (const log of logs) expectOnlyRecords(log, origin)
    const submissions = logs.flat().filter((request) => request.method === 'POST' && request.url.endsWith('/submission'))
    expect(submissions).toHaveLength(4)
    for (const request of submissions)
      expect(Object.keys(JSON.parse(request.body!.toString('utf8')) as object).sort()).toEqual(['figures', 'pacsId', 'segSha256', 'segSopInstanceUid', 'storedAt'])

    for (const context of contexts) await context.close()
    await ownerApi.dispose()
  })
})
