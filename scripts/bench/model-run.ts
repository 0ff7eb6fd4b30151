// The brain model end to end in headless Chromium (ORT-web on WASM, from the Run button to
// the labelmap) against the reference runtime in Node (onnxruntime-node, the same pre- and
// post-processing), on the same T1 series in the same run.
import { readdirSync } from 'node:fs'
import path from 'node:path'
import { launchBenchBrowser, openViewer, signedInContext } from './browser'
import { createViewerDecoder } from '../../lib/dicom/viewer-decoder.server'
import { createNodeSession } from '../../lib/inference/ort-node-session.server'
import { openNodeModel, runOnFolderSeries } from '../../lib/inference/node-runner.server'
import { pickSeries, scanFolder } from '../../lib/inference/series-from-folder.server'
import { parseManifest } from '../../lib/inference/manifest'
import { planModelCheck } from '../../lib/inference/model-check'
import type { ModelSummary } from '../../lib/inference/model-summary'
import type { RunTimings, SessionWarmup } from '../../lib/inference/inference-protocol'
import { readRunStages, type RunStage } from './run-stages'

export interface ModelTimings {
  preprocessingMs: number
  inferenceMs: number
  postprocessingMs: number
  totalMs: number
}

export interface BrowserModelTimings extends ModelTimings {
  wasmThreads: number
  /** Every stage from the Run click to the labelmap on screen (run-stages.ts). */
  stages: RunStage[]
  /** The same for a second run in the same page, in the session the first one left (when asked for). */
  keptSessionStages: RunStage[] | null
}

/** One model run from the Run button to its labelmap or result, on WASM; `modelId` unset runs the model the panel picks for the series. */
export async function measureBrowserModelRun(
  baseURL: string,
  dir: string,
  credentials: { username: string; password: string },
  modelId?: string,
  options: { again?: boolean } = {},
): Promise<BrowserModelTimings> {
  const files = readdirSync(dir)
    .filter((name) => !name.startsWith('.'))
    .map((name) => path.join(dir, name))
  const browser = await launchBenchBrowser()
  try {
    const { context, page } = await openViewer(browser, baseURL, credentials)
    await page.getByTestId('dicom-file-input').setInputFiles(files)
    await page.waitForSelector(`[data-testid="viewport-main"][data-loaded-slices="${files.length}"]`, { timeout: 300_000 })
    if (modelId) await page.getByTestId('model-picker').selectOption(modelId)
    await page.getByTestId('model-provider').selectOption('wasm')
    // As a reader would take a moment: the page prepares the selected model's session first.
    await page.locator('[data-testid="run-model"][data-warmup="ready"]').waitFor({ timeout: 600_000 })
    await page.getByTestId('run-model').click()
    const results = page.locator(`[data-testid="inference-results"]${modelId ? `[data-model-id="${modelId}"]` : ''}`)
    await results.waitFor({ timeout: 600_000 })
    const timings = JSON.parse((await results.getAttribute('data-timings'))!) as RunTimings
    const segmentation = (await page.getByTestId('labelmap-toggle').count()) > 0
    const warmup = await results.getAttribute('data-warmup')
    const stages = await readRunStages(page, timings, segmentation, warmup ? (JSON.parse(warmup) as SessionWarmup) : null)
    const totalMs = Number(await results.getAttribute('data-duration-ms'))
    const wasmThreads = Number(await results.getAttribute('data-wasm-threads'))
    let keptSessionStages: RunStage[] | null = null
    if (options.again) {
      await page.getByTestId('run-model').click()
      // The first run reported the warm-up that made its session; the second has none to report.
      await page.locator('[data-testid="inference-results"][data-session-reused="true"][data-warmup=""]').waitFor({ timeout: 600_000 })
      keptSessionStages = await readRunStages(page, JSON.parse((await results.getAttribute('data-timings'))!) as RunTimings, segmentation)
    }
    return {
      ...timings,
      totalMs,
      wasmThreads,
      stages,
      keptSessionStages,
    }
  } finally {
    await browser.close()
  }
}

/** `threads`: onnxruntime-node's intra-op threads, set to the browser's WASM threads for a like-for-like figure. */
export async function measureNodeModelRun(modelId: string, dir: string, threads: number): Promise<ModelTimings> {
  const started = performance.now()
  const entry = pickSeries(dir, scanFolder(dir))
  const model = await openNodeModel(modelId, { threads })
  const decoder = createViewerDecoder()
  try {
    const { timings } = await runOnFolderSeries(model, entry, decoder)
    return { preprocessingMs: timings.preprocessingMs, inferenceMs: timings.inferenceMs, postprocessingMs: timings.postprocessingMs, totalMs: performance.now() - started }
  } finally {
    decoder.close()
    await model.release()
  }
}

export interface ModelCheckTiming {
  id: string
  description: string
  browserWasmMs: number
  nodeMs: number
}

/**
 * Every registered model's raw forward pass on its check input (model-check.ts): ORT-web
 * WASM in Chromium (the admin page's check: its second, warm run) against onnxruntime-node
 * on the same input (median of 3 runs after a warm-up).
 */
export async function measureModelChecks(baseURL: string, credentials: { username: string; password: string }): Promise<ModelCheckTiming[]> {
  const browser = await launchBenchBrowser()
  const timings: ModelCheckTiming[] = []
  try {
    const context = await signedInContext(browser, baseURL, credentials)
    const models = ((await (await context.request.get('/api/models')).json()) as ModelSummary[]).filter((model) => model.fileUrl)
    const page = await context.newPage()
    await page.goto('/admin/models')
    for (const model of models) {
      const id = model.manifest.parallax.id
      await page.locator(`[data-testid="model-row"][data-model-id="${id}"]`).getByTestId('model-check').click()
      const result = page.locator(`[data-testid="model-check-result"][data-model-id="${id}"]`)
      await result.waitFor({ timeout: 300_000 })
      const browserWasmMs = Number(await result.getByTestId('model-check-wasm').getAttribute('data-run-ms'))
      const bytes = new Uint8Array(await (await context.request.get(model.fileUrl!)).body())
      const plan = planModelCheck(parseManifest(model.manifest), bytes)
      const session = await createNodeSession(plan.model)
      const runs: number[] = []
      for (let run = 0; run < 4; run++) {
        const started = performance.now()
        await session.run(plan.input, [model.manifest.parallax.output])
        if (run > 0) runs.push(performance.now() - started)
      }
      await session.release()
      timings.push({ id, description: plan.description, browserWasmMs, nodeMs: runs.sort((a, b) => a - b)[1]! })
    }
  } finally {
    await browser.close()
  }
  return timings
}
