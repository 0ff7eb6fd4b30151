import { expect, test, type Worker } from '@playwright/test'
import { generateChestPhantom } from '../../lib/synthetic/chest-phantom'
import { studyIdentity } from '../../lib/synthetic/studies'
import { demoAccount } from '../support/accounts'
import { signInBrowser } from '../support/browser'
import { writePhantomStudy } from '../support/phantom-study'
import { ViewerPage } from '../pages/viewer-page'

// The page's one inference worker: a researcher runs a model, explains a slice and runs the
// model again. All three go to the same worker, which never closes; the explanation and the
// second run use the session the first run created (nothing reloaded or recompiled) and
// the second run finds what the first found.

const seed = 900_301

test.describe('the inference worker', () => {
  test.describe.configure({ timeout: 300_000 })

  test('one worker for a run, an explanation and a second run, which reuse the first run’s session', async ({ browser, baseURL }) => {
    const phantom = generateChestPhantom({ seed, noduleCount: 1, diameterRange: [20, 26] })
    const files = writePhantomStudy(phantom, studyIdentity(seed, `E2E${seed}`))
    const context = await browser.newContext({ baseURL, viewport: { width: 1600, height: 1000 } })
    const researcher = demoAccount('researcher')
    await signInBrowser(context, researcher.username, researcher.password)
    const page = await context.newPage()
    const allWorkers: string[] = []
    const inferenceWorkers: Worker[] = []
    const closed: string[] = []
    page.on('worker', (worker) => {
      allWorkers.push(worker.url())
      // The client names the worker, which puts "inference-worker" in its chunk's file name.
      if (!worker.url().includes('inference-worker')) return
      inferenceWorkers.push(worker)
      worker.on('close', () => closed.push(worker.url()))
    })
    const viewer = new ViewerPage(page)
    await viewer.goto()
    await viewer.openFiles(files)
    await viewer.waitForSeriesLoaded(files.length)

    await page.getByTestId('model-picker').selectOption('lesion-seg-2d')
    await page.getByTestId('model-provider').selectOption('wasm')
    await page.getByTestId('run-model').click()
    const results = page.getByTestId('inference-results')
    await expect(results).toHaveAttribute('data-model-id', 'lesion-seg-2d', { timeout: 120_000 })
    await expect(results).toHaveAttribute('data-execution-provider', 'wasm')
    await expect(results).toHaveAttribute('data-session-reused', 'false')
    const firstCounts = await results.getAttribute('data-label-counts')

    await page.getByTestId('explain-method').selectOption('probability')
    await page.getByTestId('explain-run').click()
    const explained = page.getByTestId('explain-result')
    await expect(explained).toHaveAttribute('data-method', 'probability', { timeout: 60_000 })
    await expect(explained).toHaveAttribute('data-session-reused', 'true')

    await page.getByTestId('run-model').click()
    await expect(results).toHaveAttribute('data-session-reused', 'true', { timeout: 120_000 })
    const timings = JSON.parse((await results.getAttribute('data-timings'))!) as { loadModelMs: number; createSessionMs: number }
    expect(timings, 'the second run neither loads the model nor creates a session').toMatchObject({ loadModelMs: 0, createSessionMs: 0 })
    expect(await results.getAttribute('data-label-counts')).toBe(firstCounts)

    expect(inferenceWorkers, `inference workers among ${JSON.stringify(allWorkers)}`).toHaveLength(1)
    expect(closed).toEqual([])
    await context.close()
  })
})
