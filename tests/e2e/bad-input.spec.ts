import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { expect, test } from '@playwright/test'
import { zipSync } from 'fflate'
import { demoAccount } from '../support/accounts'
import { signInBrowser } from '../support/browser'
import { missingPydicomTestFiles, pydicomTestFilesDir } from '../support/pydicom-data'
import { missingSharedData, sharedDataPath } from '../support/shared-data'
import { ViewerPage } from '../pages/viewer-page'

// One drop mixing valid slices with broken files: each broken file is listed with a
// reason, the valid slices still load, and the page throws nothing.
const ctDir = 'ct-chest-lidc0314'

test.describe('bad input in a drop', () => {
  test.skip(() => missingSharedData(ctDir) !== null || missingPydicomTestFiles() !== null, 'real data not available')
  test.describe.configure({ timeout: 120_000 })

  test('is rejected file by file while the rest loads', async ({ browser, baseURL }) => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'parallax-bad-'))
    const ctFiles = readdirSync(sharedDataPath(ctDir))
      .sort()
      .slice(0, 12)
      .map((name) => sharedDataPath(ctDir, name))
    const slice = readFileSync(ctFiles[0]!)
    const bad: Record<string, Uint8Array> = {
      'notes.txt': new TextEncoder().encode('Findings: none. This is not DICOM.'),
      'truncated-header.dcm': slice.subarray(0, 300),
      'truncated-pixels.dcm': slice.subarray(0, slice.length - 5000),
      'absurd-length.dcm': (() => {
        const copy = new Uint8Array(slice)
        // Corrupt the length of the first element after the meta header.
        const view = new DataView(copy.buffer)
        const metaEnd = 132 + 12 + view.getUint32(140, true)
        view.setUint32(metaEnd + 4, 0x7ffffff0, true)
        return copy
      })(),
      'zip-bomb.zip': zipSync({ 'bomb.dcm': new Uint8Array(64 * 1024 * 1024) }, { level: 9 }),
    }
    for (const [name, bytes] of Object.entries(bad)) writeFileSync(path.join(dir, name), bytes)
    const pydicomBad = ['MR_truncated.dcm', 'rtplan_truncated.dcm', 'no_meta.dcm'].map((name) => path.join(pydicomTestFilesDir, name))

    const context = await browser.newContext({ baseURL })
    const account = demoAccount('radiologist')
    await signInBrowser(context, account.username, account.password)
    const page = await context.newPage()
    const errors: string[] = []
    page.on('pageerror', (error) => errors.push(error.message))
    const viewer = new ViewerPage(page)
    await viewer.goto()
    await viewer.openFiles([...ctFiles, ...Object.keys(bad).map((name) => path.join(dir, name)), ...pydicomBad])

    await viewer.waitForSeriesLoaded(ctFiles.length)
    const rejected = page.getByTestId('rejected-file')
    await expect(rejected).toHaveCount(Object.keys(bad).length + pydicomBad.length)
    for (const name of [...Object.keys(bad), ...pydicomBad.map((file) => path.basename(file))]) {
      const item = page.locator(`[data-testid="rejected-file"][data-source="${name}"]`)
      await expect(item, name).toHaveCount(1)
      // A reason follows the file name.
      expect((await item.innerText()).length, name).toBeGreaterThan(name.length + 10)
    }
    await expect(page.locator('[data-testid="rejected-file"][data-source="notes.txt"]')).toContainText(/not a DICOM file/i)
    await expect(page.locator('[data-testid="rejected-file"][data-source="zip-bomb.zip"]')).toContainText(/ratio|limit|too large/i)
    expect((await viewer.capture()).litFraction).toBeGreaterThan(0.1)
    expect(errors).toEqual([])
    await context.close()
  })
})
