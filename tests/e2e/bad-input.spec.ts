import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { expect, test } from '@playwright/test'
import { zipSync } from 'fflate'
import { demoAccount } from '../support/accounts'
import { signInBrowser } from '../support/browser'
import { fuzzFixtures } from '../support/fuzz-fixtures'
import { missingPydicomTestFiles, pydicomTestFilesDir } from '../support/pydicom-data'
import { missingSharedData, sharedDataPath } from '../support/shared-data'
import { ViewerPage } from '../pages/viewer-page'

// One drop mixing valid slices with broken files: each broken file is listed with a
// reason, the valid slices still load, and the page throws nothing. Then the worst cases
// of the fuzzer (tests/support/fuzz-fixtures.ts) and pydicom's malformed files, every
// series they open shown in turn: no page error, no crashed tab, and a good series still
// opens afterwards.
const ctDir = 'ct-chest-lidc0314'

// pydicom's truncated and malformed files, and two data sets without a file header (which open).
const PYDICOM_MALFORMED = [
  'MR_truncated.dcm',
  'rtplan_truncated.dcm',
  'nested_priv_SQ.dcm',
  'SC_rgb_jpeg.dcm',
  'meta_missing_tsyntax.dcm',
  'MR_small_padded.dcm',
  'badVR.dcm',
  'UN_sequence.dcm',
  'no_meta_group_length.dcm',
  'priv_SQ.dcm',
  'empty_charset_LEI.dcm',
  'no_meta.dcm',
  'JPEG2000-embedded-sequence-delimiter.dcm',
]
const PYDICOM_WITHOUT_HEADER = ['ExplVR_LitEndNoMeta.dcm', 'rtstruct.dcm']

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

  test('the worst fuzz cases and pydicom malformed files: no page error, no crash, and a good series opens afterwards', async ({ browser, baseURL }) => {
    test.setTimeout(240_000)
    const dir = mkdtempSync(path.join(os.tmpdir(), 'parallax-fuzz-'))
    const fixtures = fuzzFixtures()
    expect(fixtures.length).toBeGreaterThanOrEqual(15)
    for (const { name, bytes } of fixtures) writeFileSync(path.join(dir, name), bytes)
    const pydicom = [...PYDICOM_MALFORMED, ...PYDICOM_WITHOUT_HEADER].map((name) => path.join(pydicomTestFilesDir, name))

    const context = await browser.newContext({ baseURL })
    const account = demoAccount('radiologist')
    await signInBrowser(context, account.username, account.password)
    const page = await context.newPage()
    const errors: string[] = []
    let crashes = 0
    page.on('pageerror', (error) => errors.push(error.message))
    page.on('crash', () => (crashes += 1))
    const viewer = new ViewerPage(page)
    await viewer.goto()
    await viewer.openFiles([...fixtures.map(({ name }) => path.join(dir, name)), ...pydicom])

    const rejected = fixtures.filter((fixture) => fixture.expect === 'rejected')
    await expect(page.getByTestId('rejected-file')).toHaveCount(rejected.length + PYDICOM_MALFORMED.length, { timeout: 60_000 })
    for (const fixture of rejected) await expect(page.locator(`[data-testid="rejected-file"][data-source="${fixture.name}"]`), fixture.name).toHaveCount(1)
    const warned = fixtures.filter((fixture) => fixture.expect === 'warning')
    await expect(page.getByTestId('file-warning')).toHaveCount(warned.length + PYDICOM_WITHOUT_HEADER.length)
    for (const fixture of warned) {
      await expect(page.locator(`[data-testid="file-warning"][data-source="${fixture.name}"][data-kind="${fixture.warning}"]`), fixture.name).toHaveCount(1)
    }
    await expect(page.getByTestId('generated-study')).toHaveCount(1)

    // Show every series the drop opened, and let each finish loading or failing.
    const series = page.getByTestId('series-item')
    const count = await series.count()
    expect(count).toBeGreaterThanOrEqual(fixtures.length - rejected.length)
    const decodeErrors: string[] = []
    const progress = async () => {
      const [loaded, failed, total] = await Promise.all(
        ['data-loaded-slices', 'data-failed-slices', 'data-total-slices'].map(async (name) => Number(await viewer.main.getAttribute(name))),
      )
      return { loaded: loaded!, failed: failed!, total: total! }
    }
    for (let index = 0; index < count; index++) {
      const uid = (await series.nth(index).getAttribute('data-series-uid'))!
      const images = await page.evaluate((seriesUid) => window.parallaxWorkspace?.studies.imageIdsOf(seriesUid).length ?? -1, uid)
      await series.nth(index).click()
      await expect(viewer.main).toHaveAttribute('data-series-uid', uid)
      await expect.poll(async () => ((state) => state.total === images && state.loaded + state.failed === images)(await progress()), { timeout: 60_000 }).toBe(true)
      if ((await progress()).failed > 0) decodeErrors.push(await page.getByTestId('viewer-error').innerText())
    }
    // The file whose character set the viewer's reader refuses fails as one image, named.
    const undecodable = fixtures.filter((fixture) => fixture.expect === 'undecodable').map((fixture) => fixture.name)
    expect(decodeErrors.length).toBe(undecodable.length)
    for (const name of undecodable) expect(decodeErrors.join('\n')).toContain(name)

    const good = readdirSync(sharedDataPath(ctDir))
      .sort()
      .slice(0, 12)
      .map((name) => sharedDataPath(ctDir, name))
    await viewer.openFiles(good)
    await viewer.waitForSeriesLoaded(good.length)
    expect((await viewer.capture()).litFraction).toBeGreaterThan(0.1)
    expect(errors).toEqual([])
    expect(crashes).toBe(0)
    await context.close()
  })
})
