// The brain model end to end in headless Chromium (ORT-web on WASM, from the Run button to
// the labelmap) against the reference runtime in Node (onnxruntime-node, the same pre- and
// post-processing), on the same T1 series in the same run.
import { readdirSync } from 'node:fs'
import path from 'node:path'
import { chromium } from '@playwright/test'
import { findModel } from '../../lib/inference/registry.server'
import { createNodeSession } from '../../lib/inference/ort-node-session.server'
import { segmentStack } from '../../lib/inference/run-model'
import { loadSeriesFromFolder } from '../../lib/inference/series-from-folder.server'
import { readFileSync } from 'node:fs'

export interface ModelTimings {
  preprocessingMs: number
  inferenceMs: number
  postprocessingMs: number
  totalMs: number
}

const launchArgs = ['--no-sandbox', '--headless=new', '--disable-background-networking', '--disable-component-update', '--disable-sync']

export async function measureBrowserModelRun(baseURL: string, dir: string, credentials: { username: string; password: string }): Promise<ModelTimings> {
  const files = readdirSync(dir).filter((name) => !name.startsWith('.')).map((name) => path.join(dir, name))
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: launchArgs })
  try {
    const context = await browser.newContext({ baseURL, viewport: { width: 1400, height: 900 } })
    const csrf = (await (await context.request.get('/api/auth/csrf')).json()) as { csrfToken: string }
    const signIn = await context.request.post('/api/auth/callback/credentials', { form: { ...credentials, csrfToken: csrf.csrfToken, json: 'true' } })
    if (!signIn.ok()) throw new Error(`sign-in failed: ${signIn.status()}`)
    const page = await context.newPage()
    await page.goto('/viewer')
    await page.waitForSelector('[data-testid="viewer"][data-ready="true"]', { timeout: 60_000 })
    await page.getByTestId('dicom-file-input').setInputFiles(files)
    await page.waitForSelector(`[data-testid="viewport-main"][data-loaded-slices="${files.length}"]`, { timeout: 300_000 })
    await page.getByTestId('model-provider').selectOption('wasm')
    await page.getByTestId('run-model').click()
    const results = page.getByTestId('inference-results')
    await results.waitFor({ timeout: 600_000 })
    const timings = JSON.parse((await results.getAttribute('data-timings'))!) as Omit<ModelTimings, 'totalMs'>
    return { ...timings, totalMs: Number(await results.getAttribute('data-duration-ms')) }
  } finally {
    await browser.close()
  }
}

export async function measureNodeModelRun(modelId: string, dir: string): Promise<ModelTimings> {
  const model = findModel(modelId)
  if (!model?.filePath) throw new Error(`model ${modelId} has no file registered`)
  const started = performance.now()
  const series = loadSeriesFromFolder(dir)
  const session = await createNodeSession(new Uint8Array(readFileSync(model.filePath)))
  const result = await segmentStack(model.manifest, series.stack, session)
  await session.release()
  return { ...result.timings, totalMs: performance.now() - started }
}
