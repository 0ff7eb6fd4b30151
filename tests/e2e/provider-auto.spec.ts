import { expect, test } from '@playwright/test'
import { generateChestPhantom } from '../../lib/synthetic/chest-phantom'
import { studyIdentity } from '../../lib/synthetic/studies'
import { demoAccount } from '../support/accounts'
import { signInBrowser } from '../support/browser'
import { writePhantomStudy } from '../support/phantom-study'
import { ViewerPage } from '../pages/viewer-page'

// Headless Chromium here offers WebGPU only through SwiftShader, a CPU emulation: "auto"
// must run on WASM (and say why), while an explicit WebGPU choice still uses the adapter.
// Its first run measures: WASM alone is timed here (a software adapter never is), the
// choice is stored in the browser, shown with its time, recorded with the result and
// followed by the next auto run.

const seed = 900_401

test('auto measures WASM alone beside a software WebGPU adapter (SwiftShader), keeps and shows the choice; an explicit choice still runs WebGPU', async ({ browser, baseURL }) => {
  test.setTimeout(300_000)
  const phantom = generateChestPhantom({ seed, noduleCount: 1, slices: 8 })
  const files = writePhantomStudy(phantom, studyIdentity(seed, `E2E${seed}`))
  const context = await browser.newContext({ baseURL, viewport: { width: 1600, height: 1000 } })
  const researcher = demoAccount('researcher')
  await signInBrowser(context, researcher.username, researcher.password)
  const page = await context.newPage()
  const viewer = new ViewerPage(page)
  await viewer.goto()
  // Not vacuous: the browser does offer a WebGPU adapter, and it is SwiftShader.
  const adapter = await page.evaluate(async () => {
    const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<{ info?: { architecture?: string; vendor?: string } } | null> } }).gpu
    const found = await gpu?.requestAdapter()
    return found ? `${found.info?.vendor ?? ''}/${found.info?.architecture ?? ''}` : null
  })
  expect(adapter, 'the test browser exposes a WebGPU adapter').not.toBeNull()
  expect(adapter).toContain('swiftshader')

  await viewer.openFiles(files)
  await viewer.waitForSeriesLoaded(files.length)
  await page.getByTestId('model-picker').selectOption('lesion-cls-2d')
  await expect(page.getByTestId('model-provider')).toHaveValue('auto')
  const choiceLine = page.getByTestId('provider-choice')
  await expect(choiceLine, 'nothing is measured before the first auto run').toHaveAttribute('data-chosen', '')
  await page.getByTestId('run-model').click()
  const results = page.getByTestId('inference-results')
  await expect(results).toHaveAttribute('data-model-id', 'lesion-cls-2d', { timeout: 120_000 })
  await expect(results).toHaveAttribute('data-execution-provider', 'wasm')
  await expect(results).toHaveAttribute('data-provider-note', /software renderer \(swiftshader\)/)
  await expect(page.getByTestId('inference-provenance')).toContainText('WASM chosen by measurement')
  // The first auto run timed WASM only (SwiftShader is not timed), and that choice is kept.
  const measured = JSON.parse((await results.getAttribute('data-provider-choice'))!) as { chosen: string; warmPassMs: { wasm: number; webgpu: number | null } }
  expect(measured.chosen).toBe('wasm')
  expect(measured.warmPassMs.webgpu).toBeNull()
  expect(measured.warmPassMs.wasm).toBeGreaterThan(0)
  await expect(choiceLine).toHaveAttribute('data-chosen', 'wasm')
  await expect(choiceLine).toHaveAttribute('data-wasm-ms', String(measured.warmPassMs.wasm))
  await expect(choiceLine).toContainText(/WASM \d+(\.\d)? ms/)
  const stored = await page.evaluate(() => Object.keys(localStorage).filter((key) => key.startsWith('parallax:provider-choice:v1:lesion-cls-2d@')))
  expect(stored).toHaveLength(1)

  // The next auto run follows the stored choice without measuring again, and records it.
  await page.getByTestId('run-model').click()
  await expect(results).toHaveAttribute('data-session-reused', 'true', { timeout: 120_000 })
  await expect(results).toHaveAttribute('data-execution-provider', 'wasm')
  expect(JSON.parse((await results.getAttribute('data-provider-choice'))!)).toEqual(measured)
  await expect(page.getByTestId('inference-provenance')).toContainText('WASM chosen by measurement')

  await page.getByTestId('model-provider').selectOption('webgpu')
  await page.getByTestId('run-model').click()
  await expect(results).toHaveAttribute('data-execution-provider', 'webgpu', { timeout: 240_000 })
  await expect(results).toHaveAttribute('data-provider-note', '')
  await expect(results).toHaveAttribute('data-provider-choice', '')

  // "Measure again" forgets the choice: the next auto run measures.
  await page.getByTestId('model-provider').selectOption('auto')
  await page.getByTestId('provider-measure-again').click()
  await expect(choiceLine).toHaveAttribute('data-chosen', '')
  expect(await page.evaluate(() => Object.keys(localStorage).filter((key) => key.startsWith('parallax:provider-choice:')))).toHaveLength(0)
  await context.close()
})
