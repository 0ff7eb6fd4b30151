import { expect, test } from '@playwright/test'
import { demoAccount } from '../support/accounts'
import { signInBrowser } from '../support/browser'
import { readSlices } from '../support/dicom-reference'
import { missingSharedData, sharedDataPath } from '../support/shared-data'
import { ViewerPage } from '../pages/viewer-page'

// The T1 MPRAGE is acquired sagittal-oblique: a test of geometry and reformatting. (The
// data README names it mr-brain/t1-mprage; the folder is mr-brain-t1.)
const t1Dir = 'mr-brain-t1'

test.describe('oblique brain MR', () => {
  test.skip(() => missingSharedData(t1Dir) !== null, 'real MR data not available')
  test.describe.configure({ timeout: 180_000 })

  test('is sorted along its oblique normal and reformats into three planes', async ({ browser, baseURL }) => {
    const reference = readSlices(sharedDataPath(t1Dir))
    const context = await browser.newContext({ baseURL, viewport: { width: 1600, height: 1000 } })
    const researcher = demoAccount('researcher')
    await signInBrowser(context, researcher.username, researcher.password)
    const page = await context.newPage()
    const viewer = new ViewerPage(page)
    await viewer.goto()
    await viewer.openFiles(reference.files)
    await viewer.waitForSeriesLoaded(reference.files.length)
    await expect(viewer.main).toHaveAttribute('data-image-position', reference.slices[0]!.position.join('\\'))
    await page.keyboard.press('End')
    await expect(viewer.main).toHaveAttribute('data-image-position', reference.slices.at(-1)!.position.join('\\'))
    // Sagittal acquisition: the screen's top edge points superior, its sides anterior/posterior.
    await expect(page.getByTestId('orientation-top').first()).toContainText('S')

    // The series has one missing slice: MPR is offered, with the warning kept in view.
    await expect(page.getByTestId('geometry-warnings')).toContainText('missing')
    await page.getByTestId('layout-mpr').click()
    for (const plane of ['viewport-axial', 'viewport-sagittal', 'viewport-coronal']) {
      await expect.poll(async () => (await viewer.capture(plane)).litFraction, { message: `${plane} rendered`, timeout: 60_000 }).toBeGreaterThan(0.05)
    }
    await expect(page.getByTestId('geometry-warnings')).toContainText('MPR assumes even slice spacing')
    await context.close()
  })
})
