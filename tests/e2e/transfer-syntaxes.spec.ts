import { readFileSync, readdirSync } from 'node:fs'
import { expect, test } from '@playwright/test'
import { demoAccount } from '../support/accounts'
import { signInBrowser } from '../support/browser'
import { missingSharedData, sharedDataPath } from '../support/shared-data'
import { ViewerPage } from '../pages/viewer-page'

// Every file of the transfer-syntax set decodes in the browser, and the decoded frame's
// SHA-256 equals the reference (pixel-sha256.json) wherever one is given. The 12-bit lossy
// JPEG files (4.51, 4.53, 4.55) have no reference: they hold the same lossy image, so they
// must decode identically to each other and not to the lossless image.
const dir = 'transfer-syntaxes'
const lossless = 'CTImage.dcm_LittleEndianExplicitTransferSyntax_1.2.840.10008.1.2.1.dcm'
const lossy12Bit = [
  'CTImage.dcm_JPEGProcess2_4TransferSyntax_1.2.840.10008.1.2.4.51.dcm',
  'CTImage.dcm_JPEGProcess6_8TransferSyntax_1.2.840.10008.1.2.4.53.dcm',
  'CTImage.dcm_JPEGProcess10_12TransferSyntax_1.2.840.10008.1.2.4.55.dcm',
]

test.describe('transfer syntaxes', () => {
  test.skip(() => missingSharedData(dir) !== null, 'transfer-syntax data not available')
  test.describe.configure({ timeout: 240_000 })

  test('decode to the reference pixel hashes', async ({ browser, baseURL }) => {
    const expected = JSON.parse(readFileSync(sharedDataPath(dir, 'pixel-sha256.json'), 'utf8')) as Record<string, string[]>
    const files = readdirSync(sharedDataPath(dir))
      .filter((name) => name.endsWith('.dcm'))
      .sort()
    const context = await browser.newContext({ baseURL, viewport: { width: 1400, height: 900 } })
    const account = demoAccount('researcher')
    await signInBrowser(context, account.username, account.password)
    const page = await context.newPage()
    const viewer = new ViewerPage(page)
    await viewer.goto()

    const results: { file: string; hash: string | null; expected: string | undefined; rejected: string | null }[] = []
    for (const [index, file] of files.entries()) {
      await viewer.openFiles([sharedDataPath(dir, file)])
      await expect(page.getByTestId('viewer')).toHaveAttribute('data-ingest-count', String(index + 1), { timeout: 30_000 })
      const rejected = page.locator(`[data-testid="rejected-file"][data-source="${file}"]`)
      if (await rejected.count()) {
        results.push({ file, hash: null, expected: expected[file]?.[0], rejected: await rejected.innerText() })
        continue
      }
      const total = Number(await viewer.main.getAttribute('data-total-slices'))
      if (total === 0) {
        await expect(page.getByTestId('viewer-error')).toContainText('holds no images')
        results.push({ file, hash: 'non-image object', expected: expected[file]?.[0], rejected: null })
        continue
      }
      await expect
        .poll(async () => Number(await viewer.main.getAttribute('data-loaded-slices')) + Number(await viewer.main.getAttribute('data-failed-slices')), { timeout: 60_000 })
        .toBe(total)
      if (Number(await viewer.main.getAttribute('data-failed-slices')) > 0) {
        results.push({ file, hash: 'decode failed', expected: expected[file]?.[0], rejected: null })
        continue
      }
      await expect(viewer.main).not.toHaveAttribute('data-slice-index', '-1')
      await page.getByTestId('compute-checksum').click()
      const hash = (await page.getByTestId('pixel-sha256').innerText()).trim()
      console.log(file, await page.getByTestId('pixel-layout').innerText())
      results.push({ file, hash, expected: expected[file]?.[0], rejected: null })
    }
    console.log(
      results
        .map(
          (r) =>
            `${r.hash === r.expected ? 'match ' : r.expected ? 'DIFF  ' : 'no-ref'} ${r.hash?.slice(0, 16)} ${r.expected?.slice(0, 16)} ${r.file}${r.rejected ? ` (rejected: ${r.rejected})` : ''}`,
        )
        .join('\n'),
    )

    // Nothing is refused; the file without pixel data (a text SR) is listed as a non-image object.
    expect(results.filter((r) => r.rejected)).toEqual([])
    expect(results.filter((r) => r.hash === 'non-image object').map((r) => r.file)).toEqual(['no-pixel-data.dcm'])
    const decoded = results.filter((r) => r.file !== 'no-pixel-data.dcm')
    for (const result of decoded) expect(result.hash, `${result.file} decodes`).toMatch(/^[0-9a-f]{64}$/)
    const hashes = new Map(results.map((r) => [r.file, r.hash ?? '']))
    const withReference = decoded.filter((r) => r.expected)
    expect(withReference.length).toBeGreaterThanOrEqual(20)
    for (const result of withReference) expect(result.hash, result.file).toBe(result.expected)
    const lossyHashes = lossy12Bit.map((file) => hashes.get(file))
    expect(lossyHashes[0], `${lossy12Bit[0]} decodes`).toMatch(/^[0-9a-f]{64}$/)
    expect(lossyHashes, 'the 12-bit lossy files decode to one image').toEqual(lossy12Bit.map(() => lossyHashes[0]))
    expect(lossyHashes[0], 'the 12-bit lossy image is not the lossless one').not.toBe(hashes.get(lossless))
    await context.close()
  })
})
