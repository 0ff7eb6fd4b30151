import { expect, test, type Browser, type Page } from '@playwright/test'
import { generateChestPhantom } from '../../lib/synthetic/chest-phantom'
import { studyIdentity } from '../../lib/synthetic/studies'
import { demoAccount } from '../support/accounts'
import { signInBrowser } from '../support/browser'
import { writePhantomStudy } from '../support/phantom-study'
import { ViewerPage } from '../pages/viewer-page'

// The viewer's data-quality panel on generated studies with seeded defects (as
// lib/quality/assess.test.ts seeds them): it lists exactly the seeded findings, nothing on
// a clean study, and the model panel warns (without blocking) when a series fails
// lesion-seg-2d's manifest requirements (axial, slices 0.5–5 mm).

/** A small phantom study (64×64, 8 slices) with no identifying values unless a name is given. */
function phantomFiles(seed: number, { sliceSpacing = 2.5, patientName = '' }: { sliceSpacing?: number; patientName?: string } = {}) {
  const phantom = generateChestPhantom({ seed, noduleCount: 1, columns: 64, rows: 64, slices: 8, pixelSpacing: 5, sliceSpacing })
  return writePhantomStudy(phantom, { ...studyIdentity(seed, ''), patientName, accessionNumber: '' })
}

async function openViewer(browser: Browser, baseURL: string | undefined, files: string[], slices: number): Promise<Page> {
  const context = await browser.newContext({ baseURL, viewport: { width: 1600, height: 1000 } })
  const reader = demoAccount('radiologist')
  await signInBrowser(context, reader.username, reader.password)
  const page = await context.newPage()
  const viewer = new ViewerPage(page)
  await viewer.goto()
  await viewer.openFiles(files)
  await viewer.waitForSeriesLoaded(slices)
  // Header checks first, then the pixel checks once the images are decoded.
  await expect(page.getByTestId('quality-panel')).toHaveAttribute('data-status', 'done', { timeout: 60_000 })
  return page
}

const findingsOf = async (page: Page) =>
  (
    await page
      .getByTestId('quality-finding')
      .evaluateAll((items) => items.map((item) => `${item.getAttribute('data-code')}:${item.getAttribute('data-severity')}:${item.getAttribute('data-count')}`))
  ).sort()

test.describe('data-quality panel', () => {
  test.describe.configure({ timeout: 180_000 })

  test('lists exactly the seeded defects: a missing slice and a patient name left in', async ({ browser, baseURL }) => {
    const files = phantomFiles(910_001, { patientName: 'Doe^Jane' }).filter((_, index) => index !== 4)
    const page = await openViewer(browser, baseURL, files, files.length)
    expect(await findingsOf(page)).toEqual(['gap:warning:1', 'identifying-attributes:warning:1'])
    await expect(page.locator('[data-testid="quality-finding"][data-code="identifying-attributes"]')).toContainText("Patient's Name")
    // The series meets lesion-seg-2d's requirements: no warning.
    await page.getByTestId('model-picker').selectOption('lesion-seg-2d')
    await expect(page.getByTestId('model-requirements-warning')).toHaveCount(0)
  })

  test('a clean study shows no finding', async ({ browser, baseURL }) => {
    const files = phantomFiles(910_002)
    const page = await openViewer(browser, baseURL, files, files.length)
    await expect(page.getByTestId('quality-panel')).toHaveAttribute('data-count', '0')
    await expect(page.getByTestId('quality-finding')).toHaveCount(0)
    await expect(page.getByTestId('quality-panel')).toContainText('No findings')
  })

  test("a thick-slice series fails lesion-seg-2d's requirements: the model panel warns and still lets the reader run", async ({ browser, baseURL }) => {
    const files = phantomFiles(910_003, { sliceSpacing: 6 })
    const page = await openViewer(browser, baseURL, files, files.length)
    // Slice thickness is not a defect of the series, only a mismatch with this model.
    await expect(page.getByTestId('quality-finding')).toHaveCount(0)
    await page.getByTestId('model-picker').selectOption('lesion-seg-2d')
    const warning = page.getByTestId('model-requirements-warning')
    await expect(warning).toHaveAttribute('data-codes', 'slice-thickness-out-of-range')
    await expect(warning).toContainText('6 mm thick')
    await expect(page.getByTestId('run-model')).toBeEnabled()
  })
})
