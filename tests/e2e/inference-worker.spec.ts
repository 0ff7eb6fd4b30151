import { expect, test, type Locator, type Worker } from '@playwright/test'
import { generateChestPhantom } from '../../lib/synthetic/chest-phantom'
import { studyIdentity } from '../../lib/synthetic/studies'
import { demoAccount } from '../support/accounts'
import { signInBrowser } from '../support/browser'
import { writePhantomStudy } from '../support/phantom-study'
import { ViewerPage } from '../pages/viewer-page'

// The page's one inference worker: a researcher picks a model, whose session the page
// prepares before the click (a warm-up), runs it, explains a slice and runs it again. All go
// to the same worker, which never closes; the run, the explanation and the second run use
// the session the warm-up created (nothing reloaded or recompiled) and the second run finds
// what the first found. A run clicked while a warm-up is still under way waits for it and
// uses its session: the model's session is created once, by the warm-up.

const seed = 900_301

test.describe('the inference worker', () => {
  test.describe.configure({ timeout: 300_000 })

  test('one worker for a warm-up, a run, an explanation and a second run, which reuse the warm-up’s session', async ({ browser, baseURL }) => {
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
    const runButton = page.getByTestId('run-model')
    await expect(runButton, 'the selected model’s session is prepared before the click').toHaveAttribute('data-warmup', 'ready', { timeout: 120_000 })
    await runButton.click()
    const results = page.getByTestId('inference-results')
    await expect(results).toHaveAttribute('data-model-id', 'lesion-seg-2d', { timeout: 120_000 })
    await expect(results).toHaveAttribute('data-execution-provider', 'wasm')
    await expectWarmedSession(results)
    await expect(page.getByTestId('inference-provenance')).toContainText(/session prepared in \d+\.\d s before the run/)
    const firstCounts = await results.getAttribute('data-label-counts')

    await page.getByTestId('explain-method').selectOption('probability')
    await page.getByTestId('explain-run').click()
    const explained = page.getByTestId('explain-result')
    await expect(explained).toHaveAttribute('data-method', 'probability', { timeout: 60_000 })
    await expect(explained).toHaveAttribute('data-session-reused', 'true')

    await page.getByTestId('run-model').click()
    await expect(results).toHaveAttribute('data-warmup', '', { timeout: 120_000 })
    await expect(results).toHaveAttribute('data-session-reused', 'true')
    expect(timings(await results.getAttribute('data-timings')), 'the second run neither loads the model nor creates a session').toMatchObject({
      loadModelMs: 0,
      createSessionMs: 0,
    })
    expect(await results.getAttribute('data-label-counts')).toBe(firstCounts)

    // Another model, run at once: the click may land before its warm-up is posted, while it
    // prepares the session, or after (the page warmed the model it picked first when the series
    // opened). Either way the model's session is created once: the run reuses a warm-up's
    // session and reports it, or it creates the session and the warm-up queued behind it reuses it.
    await page.getByTestId('model-picker').selectOption('lesion-cls-2d')
    await runButton.click()
    await expect(results).toHaveAttribute('data-model-id', 'lesion-cls-2d', { timeout: 120_000 })
    await expect(runButton).toHaveAttribute('data-warmup', 'ready', { timeout: 60_000 })
    const runCreated = timings(await results.getAttribute('data-timings')).createSessionMs > 0
    const warmupCreated = (await results.getAttribute('data-warmup')) !== ''
    expect(Number(runCreated) + Number(warmupCreated), 'exactly one of the run and a warm-up created the session').toBe(1)
    if (warmupCreated) await expectWarmedSession(results)
    else await expect(runButton, 'the warm-up after the run found its session').toHaveAttribute('data-warmup-reused', 'true')

    expect(inferenceWorkers, `inference workers among ${JSON.stringify(allWorkers)}`).toHaveLength(1)
    expect(closed).toEqual([])
    await context.close()
  })
})

const timings = (attribute: string | null) => JSON.parse(attribute!) as { loadModelMs: number; createSessionMs: number }

/** The run used the session a warm-up created for it: it loaded and created nothing itself, and reports what the warm-up spent. */
async function expectWarmedSession(results: Locator) {
  await expect(results).toHaveAttribute('data-session-reused', 'true')
  expect(timings(await results.getAttribute('data-timings')), 'the run neither loads the model nor creates a session').toMatchObject({ loadModelMs: 0, createSessionMs: 0 })
  const warmup = timings(await results.getAttribute('data-warmup'))
  expect(warmup.createSessionMs, 'the warm-up created the session').toBeGreaterThan(0)
}
