// The classifier and its CAM heat map on the demo nodule study, in headless Chromium on
// WASM: from the Run click to the heat map drawn over the slice in view, as a reader does
// it (Run, then Explain with CAM at once), with the stages between (User Timing marks of
// lib/workspace/run-marks.ts, the worker's own timings). The model's session is prepared
// before the click, as the page does once a model is selected (model-warmup.client.ts).
import { launchBenchBrowser, openViewer } from './browser'
import { explainMark, runMark } from '../../lib/workspace/run-marks'
import type { RunTimings, SessionWarmup } from '../../lib/inference/inference-protocol'

export interface ClassifierHeatmapTiming {
  slices: number
  /** What the warm-up spent before the click (model load + session), not part of the click's time. */
  warmup: SessionWarmup | null
  timings: RunTimings
  clickToResultMs: number
  /** The script's own turn between the result and the Explain click. */
  resultToExplainMs: number
  /** The explanation in the worker (CAM: one forward pass and the weighted feature maps). */
  explainWorkerMs: number
  explainToHeatmapMs: number
  clickToHeatmapMs: number
}

export async function measureClassifierHeatmap(baseURL: string, credentials: { username: string; password: string }): Promise<ClassifierHeatmapTiming> {
  const browser = await launchBenchBrowser()
  try {
    const { page } = await openViewer(browser, baseURL, credentials)
    await page.locator('[data-testid="demo-study"][data-key="phantom-nodules"]').click()
    const main = page.getByTestId('viewport-main')
    await page.waitForFunction(
      () => {
        const viewport = document.querySelector('[data-testid="viewport-main"]')
        const loaded = Number(viewport?.getAttribute('data-loaded-slices'))
        return loaded > 0 && loaded === Number(viewport?.getAttribute('data-total-slices'))
      },
      undefined,
      { timeout: 120_000 },
    )
    const slices = Number(await main.getAttribute('data-loaded-slices'))
    await page.getByTestId('model-picker').selectOption('lesion-cls-2d')
    await page.getByTestId('model-provider').selectOption('wasm')
    await page.locator('[data-testid="run-model"][data-warmup="ready"]').waitFor({ timeout: 120_000 })
    await page.getByTestId('run-model').click()
    const results = page.locator('[data-testid="inference-results"][data-model-id="lesion-cls-2d"]')
    await results.waitFor({ timeout: 120_000 })
    await page.getByTestId('explain-method').selectOption('cam')
    await page.getByTestId('explain-run').click()
    const explained = page.locator('[data-testid="explain-result"][data-method="cam"]')
    await explained.waitFor({ timeout: 120_000 })
    const marks = { click: runMark.click, result: runMark.resultReceived, explain: explainMark.click, shown: explainMark.heatmapShown }
    await page.waitForFunction(
      ({ explain, shown }) => {
        const started = performance.getEntriesByName(explain).at(-1)?.startTime ?? Infinity
        return performance.getEntriesByName(shown).some((entry) => entry.startTime >= started)
      },
      marks,
      { timeout: 60_000 },
    )
    // No named functions inside: tsx would wrap them in a helper the page does not have.
    const at = await page.evaluate((names) => {
      const explain = performance.getEntriesByName(names.explain).at(-1)!.startTime
      return {
        click: performance.getEntriesByName(names.click).at(-1)!.startTime,
        result: performance.getEntriesByName(names.result).at(-1)!.startTime,
        explain,
        shown: performance.getEntriesByName(names.shown).find((entry) => entry.startTime >= explain)!.startTime,
      }
    }, marks)
    const warmup = await results.getAttribute('data-warmup')
    return {
      slices,
      warmup: warmup ? (JSON.parse(warmup) as SessionWarmup) : null,
      timings: JSON.parse((await results.getAttribute('data-timings'))!) as RunTimings,
      clickToResultMs: at.result - at.click,
      resultToExplainMs: at.explain - at.result,
      explainWorkerMs: Number(await explained.getAttribute('data-duration-ms')),
      explainToHeatmapMs: at.shown - at.explain,
      clickToHeatmapMs: at.shown - at.click,
    }
  } finally {
    await browser.close()
  }
}
