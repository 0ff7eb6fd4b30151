import { expect, test } from '@playwright/test'
import { generateChestPhantom } from '../../lib/synthetic/chest-phantom'
import { studyIdentity } from '../../lib/synthetic/studies'
import { demoAccount } from '../support/accounts'
import { signInBrowser } from '../support/browser'
import { writePhantomStudy } from '../support/phantom-study'
import { ViewerPage } from '../pages/viewer-page'

// Headless Chromium here offers WebGPU only through SwiftShader, a CPU emulation: "auto"
// must run on WASM (and say why), while an explicit WebGPU choice still uses the adapter.

const seed = 900_401

test('auto passes over a software WebGPU adapter (SwiftShader) for WASM; an explicit choice still runs WebGPU', async ({ browser, baseURL }) => {
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
  await page.getByTestId('run-model').click()
  const results = page.getByTestId('inference-results')
  await expect(results).toHaveAttribute('data-model-id', 'lesion-cls-2d', { timeout: 120_000 })
  await expect(results).toHaveAttribute('data-execution-provider', 'wasm')
  await expect(results).toHaveAttribute('data-provider-note', /software renderer \(swiftshader\)/)
  await expect(page.getByTestId('inference-provenance')).toContainText('WASM chosen')

  await page.getByTestId('model-provider').selectOption('webgpu')
  await page.getByTestId('run-model').click()
  await expect(results).toHaveAttribute('data-execution-provider', 'webgpu', { timeout: 240_000 })
  await expect(results).toHaveAttribute('data-provider-note', '')
  await context.close()
})
