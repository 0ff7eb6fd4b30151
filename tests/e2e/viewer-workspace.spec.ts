import { mkdtempSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { expect, test, type Locator, type Page } from '@playwright/test'
import { navigationFor } from '../../lib/auth/access'
import { roles } from '../../lib/vocabulary/roles'
import { demoAccount, uniqueUsername } from '../support/accounts'
import { apiSession } from '../support/api'
import { signInBrowser } from '../support/browser'
import { concatBytes, CT_IMAGE_STORAGE, elementHeader, part10, text, us } from '../support/dicom-bytes'
import { readSlices } from '../support/dicom-reference'
import { missingSharedData, sharedDataPath } from '../support/shared-data'
import { ViewerPage } from '../pages/viewer-page'

// The viewer's workspace: which slice a CT opens on, a toolbar that stays one row, MPR
// panes that fill the viewport, files chosen while the viewer starts, an error banner that
// belongs to its load, and home cards that say what waits on each page.
const ctDir = 'ct-chest-lidc0314'

type Box = { x: number; y: number; width: number; height: number }
const box = async (locator: Locator): Promise<Box> => {
  const found = await locator.boundingBox()
  expect(found, 'element has a box').not.toBeNull()
  return found!
}

/** The toolbar's controls all sit in one row, and the toolbar is no taller than that row. */
async function expectOneRowToolbar(page: Page) {
  const toolbar = page.getByTestId('viewer-toolbar')
  const controls = toolbar.locator('button:visible, select:visible, summary:visible')
  const boxes = await Promise.all((await controls.all()).map(box))
  expect(boxes.length).toBeGreaterThan(10)
  const tops = boxes.map((b) => b.y)
  expect(Math.max(...tops) - Math.min(...tops), `control tops ${tops.map(Math.round).join(', ')}`).toBeLessThanOrEqual(3)
  const tallest = Math.max(...boxes.map((b) => b.height))
  expect((await box(toolbar)).height).toBeLessThanOrEqual(tallest + 8)
}

/** Share of the grid covered by the panes, and by the largest square image each pane can show. */
async function mprCoverage(page: Page) {
  const grid = await box(page.getByTestId('viewport-grid'))
  const panes = await Promise.all(['viewport-axial', 'viewport-sagittal', 'viewport-coronal'].map((id) => box(page.getByTestId(id))))
  const area = grid.width * grid.height
  return {
    panes: panes.reduce((sum, pane) => sum + pane.width * pane.height, 0) / area,
    squares: panes.reduce((sum, pane) => sum + Math.min(pane.width, pane.height) ** 2, 0) / area,
  }
}

/** Cornerstone's canvas in a pane has been resized to the pane (its drawing buffer matches its box). */
async function expectCanvasFitsPane(page: Page, testId: string) {
  await expect
    .poll(
      async () => {
        const pane = await box(page.getByTestId(testId))
        const canvas = await page
          .getByTestId(testId)
          .locator('canvas.cornerstone-canvas')
          .evaluate((element: HTMLCanvasElement) => ({ width: element.width, height: element.height, ratio: devicePixelRatio }))
        return Math.max(Math.abs(canvas.width - pane.width * canvas.ratio), Math.abs(canvas.height - pane.height * canvas.ratio))
      },
      { message: `${testId}: canvas resized to its pane`, timeout: 10_000 },
    )
    .toBeLessThanOrEqual(2)
}

/**
 * A CT image whose header and pixel data are valid but whose Specific Character Set is
 * unknown: ingestion accepts it (the values it reads are plain ASCII), and the viewer's
 * decoder path (dcmjs, which Cornerstone's loader uses) refuses it with an error.
 */
function undecodableCtImage(): Uint8Array {
  const sopInstanceUid = `1.2.826.0.1.3680043.10.9.${Date.now()}`
  const dataSet = concatBytes([
    text(0x00080005, 'CS', 'GARBAGE'),
    text(0x00080016, 'UI', CT_IMAGE_STORAGE),
    text(0x00080018, 'UI', sopInstanceUid),
    text(0x00080020, 'DA', '20240102'),
    text(0x00080060, 'CS', 'CT'),
    text(0x00100010, 'PN', 'Undecodable^Image'),
    text(0x00100020, 'LO', 'BAD-1'),
    text(0x0020000d, 'UI', `${sopInstanceUid}.1`),
    text(0x0020000e, 'UI', `${sopInstanceUid}.2`),
    text(0x00200011, 'IS', '1'),
    text(0x00200013, 'IS', '1'),
    text(0x00200032, 'DS', '0\\0\\0'),
    text(0x00200037, 'DS', '1\\0\\0\\0\\1\\0'),
    us(0x00280002, 1),
    text(0x00280004, 'CS', 'MONOCHROME2'),
    us(0x00280010, 64),
    us(0x00280011, 64),
    text(0x00280030, 'DS', '0.5\\0.5'),
    us(0x00280100, 16),
    us(0x00280101, 16),
    us(0x00280102, 15),
    us(0x00280103, 0),
    elementHeader(0x7fe00010, 'OW', 64 * 64 * 2),
    new Uint8Array(64 * 64 * 2).fill(0x10),
  ])
  return part10(dataSet, { sopClassUid: CT_IMAGE_STORAGE, sopInstanceUid, transferSyntaxUid: '1.2.840.10008.1.2.1' })
}

test.describe('viewer workspace on the chest CT', () => {
  test.skip(() => missingSharedData(ctDir) !== null, 'real CT data not available')
  test.describe.configure({ timeout: 180_000 })

  test('opens on the most superior slice, keeps the toolbar in one row, and MPR fills the viewport', async ({ browser, baseURL }) => {
    const reference = readSlices(sharedDataPath(ctDir))
    const context = await browser.newContext({ baseURL, viewport: { width: 1280, height: 800 } })
    const account = demoAccount('radiologist')
    await signInBrowser(context, account.username, account.password)
    const page = await context.newPage()
    const viewer = new ViewerPage(page)
    await viewer.goto()
    await viewer.openFiles(reference.files)
    await viewer.waitForSeriesLoaded(reference.files.length)

    // Head end first: the largest patient z (LPS, +z superior), read from the files here.
    const top = reference.slices.reduce((best, slice) => (slice.position[2] > best.position[2] ? slice : best))
    await expect(viewer.main).toHaveAttribute('data-image-position', top.position.join('\\'))
    const shownZ = Number((await viewer.main.getAttribute('data-image-position'))!.split('\\')[2])
    expect(shownZ).toBe(Math.max(...reference.slices.map((slice) => slice.position[2])))
    await expect(viewer.main).toHaveAttribute('data-slice-index', String(reference.slices.indexOf(top)))
    expect((await viewer.capture()).litFraction, 'first image rendered').toBeGreaterThan(0.1)

    // One toolbar row at 1280 px, in both layouts; the view operations sit behind "More".
    await expectOneRowToolbar(page)
    await page.getByTestId('toolbar-more').click()
    await expect(page.getByTestId('rotate')).toBeVisible()
    await page.getByTestId('invert').click()
    await expect(page.getByTestId('rotate')).toBeHidden()

    await page.getByTestId('layout-mpr').click()
    for (const plane of ['viewport-axial', 'viewport-sagittal', 'viewport-coronal']) {
      await expect.poll(async () => (await viewer.capture(plane)).litFraction, { message: `${plane} rendered`, timeout: 60_000 }).toBeGreaterThan(0.05)
    }
    await expect(page.getByTestId('tool-Crosshairs')).toBeVisible()
    await expectOneRowToolbar(page)

    // The three panes fill the viewport, and are shaped so the images fill the panes
    // (three narrow columns covered the grid too, but left most of it black).
    for (const size of [
      { width: 1280, height: 800 },
      { width: 1600, height: 900 },
    ]) {
      await page.setViewportSize(size)
      await expect.poll(async () => (await mprCoverage(page)).panes, { message: `panes cover the grid at ${size.width}×${size.height}` }).toBeGreaterThanOrEqual(0.8)
      const { squares } = await mprCoverage(page)
      expect(squares, `square images fill the grid at ${size.width}×${size.height}`).toBeGreaterThanOrEqual(0.5)
      for (const plane of ['viewport-axial', 'viewport-sagittal', 'viewport-coronal']) await expectCanvasFitsPane(page, plane)
    }

    // Back to the stack: its canvas is resized to the (now visible) main pane.
    await page.getByTestId('layout-stack').click()
    await expect(page.getByTestId('tool-Crosshairs')).toHaveCount(0)
    await expectCanvasFitsPane(page, 'viewport-main')
    await expect.poll(async () => (await viewer.capture()).litFraction, { message: 'stack rendered again' }).toBeGreaterThan(0.1)
    await context.close()
  })

  // Passes once the viewer page adopts files chosen before its viewer is ready (the
  // workspace composition change); until then the files are read but never shown.
  test('shows files chosen before the viewer is ready', async ({ browser, baseURL }) => {
    const reference = readSlices(sharedDataPath(ctDir))
    const files = reference.files.slice(0, 20)
    const context = await browser.newContext({ baseURL })
    const account = demoAccount('researcher')
    await signInBrowser(context, account.username, account.password)
    const page = await context.newPage()
    const viewer = new ViewerPage(page)
    await page.goto('/viewer')
    await page.getByTestId('dicom-file-input').setInputFiles(files)
    await expect.poll(async () => Number(await viewer.main.getAttribute('data-loaded-slices')), { message: 'slices loaded', timeout: 60_000 }).toBeGreaterThan(0)
    await viewer.waitForSeriesLoaded(files.length)
    await expect.poll(async () => (await viewer.capture()).litFraction, { message: 'image rendered', timeout: 30_000 }).toBeGreaterThan(0.1)
    await context.close()
  })

  test('clears a decode error when the next good file loads', async ({ browser, baseURL }) => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'parallax-undecodable-'))
    const bad = path.join(dir, 'undecodable.dcm')
    writeFileSync(bad, undecodableCtImage())
    const good = readSlices(sharedDataPath(ctDir)).files[0]!
    const context = await browser.newContext({ baseURL })
    const account = demoAccount('radiologist')
    await signInBrowser(context, account.username, account.password)
    const page = await context.newPage()
    const viewer = new ViewerPage(page)
    await viewer.goto()

    await viewer.openFiles([bad])
    await expect(page.getByTestId('viewer')).toHaveAttribute('data-ingest-count', '1', { timeout: 30_000 })
    await expect(page.getByTestId('rejected-file'), 'the header is valid: the file is accepted').toHaveCount(0)
    await expect(viewer.main).toHaveAttribute('data-failed-slices', '1', { timeout: 30_000 })
    await expect(page.getByTestId('viewer-error')).toBeVisible()
    await expect(page.getByTestId('viewer-error')).toContainText(/could not be (decoded|displayed)/)

    await viewer.openFiles([good])
    await expect(page.getByTestId('viewer')).toHaveAttribute('data-ingest-count', '2')
    await viewer.waitForSeriesLoaded(1)
    await expect(viewer.main).toHaveAttribute('data-failed-slices', '0')
    await expect(page.getByTestId('viewer-error')).toHaveCount(0)
    expect((await viewer.capture()).litFraction, 'the good slice is shown').toBeGreaterThan(0.1)
    await context.close()
  })
})

test.describe('home cards', () => {
  for (const role of roles) {
    test(`${role} sees a card for each page the role may open, each saying what it is for`, async ({ browser, baseURL }) => {
      const context = await browser.newContext({ baseURL })
      const account = demoAccount(role)
      await signInBrowser(context, account.username, account.password)
      const page = await context.newPage()
      await page.goto('/')
      await expect(page.getByTestId('home-heading')).toContainText(account.displayName)
      const cards = page.getByTestId('home-card')
      const expected = navigationFor(role)
        .map((item) => item.href)
        .filter((href) => href !== '/')
      await expect(cards).toHaveCount(expected.length)
      expect(await cards.evaluateAll((elements) => elements.map((element) => element.getAttribute('data-page')))).toEqual(expected)
      for (const card of await cards.all()) expect((await card.innerText()).length, (await card.getAttribute('data-page')) ?? '').toBeGreaterThan(40)

      // The viewer's card counts the demo studies the server offers.
      const demos = (await (await context.request.get('/api/demo')).json()) as unknown[]
      const viewerStatus = page.locator('[data-testid="home-card"][data-page="/viewer"] [data-testid="home-card-status"]')
      await expect(viewerStatus).toHaveAttribute('data-count', String(demos.length))
      if (demos.length > 0) await expect(viewerStatus).toContainText(`${demos.length} synthetic demo`)

      // The studies card counts the PACS servers the Studies page offers (other tests add
      // and remove servers, so both are read again until they agree).
      if (expected.includes('/studies')) {
        await expect(async () => {
          await page.goto('/')
          const shown = Number(await page.locator('[data-testid="home-card"][data-page="/studies"] [data-testid="home-card-status"]').getAttribute('data-count'))
          await page.goto('/studies')
          const offered = await page.getByTestId('pacs-select').locator('option').count()
          expect(shown).toBe(offered)
        }).toPass({ timeout: 30_000 })
      }
      await context.close()
    })
  }

  test("the worklist card counts the reader's open reads and the AI findings awaiting a decision", async ({ browser, baseURL }) => {
    const admin = await apiSession(baseURL!, demoAccount('admin').username, demoAccount('admin').password)
    const username = uniqueUsername('home-reader')
    const password = 'home-reader-password'
    expect((await admin.post('/api/admin/users', { data: { username, displayName: 'Home Reader', role: 'radiologist', password } })).status()).toBe(201)
    await admin.dispose()
    const context = await browser.newContext({ baseURL })
    await signInBrowser(context, username, password)
    const page = await context.newPage()
    const status = page.locator('[data-testid="home-card"][data-page="/worklist"] [data-testid="home-card-status"]')
    await page.goto('/')
    await expect(status).toHaveAttribute('data-count', '0')
    await expect(status).toContainText('Nothing waits')

    const reader = await apiSession(baseURL!, username, password)
    const opened = await reader.post('/api/reads', {
      data: {
        study: {
          studyInstanceUid: `1.2.826.0.1.3680043.9.7433.${Date.now()}`,
          studyDescription: 'Home card',
          studyDate: '20260102',
          accessionNumber: '',
          modality: 'CT',
          source: 'local',
          sourceRef: null,
        },
      },
    })
    expect(opened.status()).toBe(200)
    const { id } = (await opened.json()) as { id: string }
    const location = { kind: 'point', seriesInstanceUid: '1.2.3', sopInstanceUid: '1.2.3.4', frameOfReferenceUid: null, sliceIndex: 0, points: [[1, 2, 3]] }
    const proposed = await reader.post(`/api/reads/${id}/findings`, {
      data: {
        origin: 'ai',
        model: { id: 'home-card-model', version: '1', sha256: '0'.repeat(64) },
        executionProvider: 'wasm',
        explanationMethod: null,
        findings: [
          { label: 'Lung nodule', location, measurementMm: 6, probability: 0.8 },
          { label: 'Lung nodule', location, measurementMm: 9, probability: 0.6 },
        ],
      },
    })
    expect(proposed.status()).toBe(201)
    await reader.dispose()

    await page.goto('/')
    await expect(status).toHaveAttribute('data-count', '1')
    await expect(status).toContainText('1 open read, 1 of them with 2 AI findings awaiting your decision')
    await context.close()
  })
})
