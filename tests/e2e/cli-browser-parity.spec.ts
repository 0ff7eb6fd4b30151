import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { expect, test, type Page } from '@playwright/test'
import type { LabelsExport } from '../../lib/inference/node-runner.server'
import { decodeLabelRuns } from '../../lib/inference/labels-rle'
import { demoAccount } from '../support/accounts'
import { signInBrowser } from '../support/browser'
import { readSlices } from '../support/dicom-reference'
import { missingSharedData, sharedDataPath } from '../support/shared-data'
import { ViewerPage } from '../pages/viewer-page'

// One runner for every model: `npm run infer` on the real JPEG-LS chest CT gives, for each
// of our 2D models, what the browser gives on the same files: the same labels, voxel for
// voxel, and the same per-slice probabilities (WASM and onnxruntime-node differ only in
// float rounding, far below any decision).
const ctDir = 'ct-chest-lidc0314'
const PROBABILITY_TOLERANCE = 1e-4

function runCli(model: string): LabelsExport {
  const out = path.join(mkdtempSync(path.join(tmpdir(), 'parallax-parity-')), 'result.json')
  execFileSync(process.execPath, ['--conditions=react-server', '--import', 'tsx', 'scripts/models/infer.ts', '--model', model, '--series', sharedDataPath(ctDir), '--out', out], {
    env: { ...process.env, PARALLAX_MODEL_STORE: '.data/e2e/models' },
    stdio: 'pipe',
  })
  return JSON.parse(readFileSync(out, 'utf8')) as LabelsExport
}

async function runInBrowser(page: Page, model: string): Promise<LabelsExport> {
  await page.getByTestId('model-picker').selectOption(model)
  await page.getByTestId('model-provider').selectOption('wasm')
  await page.getByTestId('run-model').click()
  await expect(page.getByTestId('inference-results')).toHaveAttribute('data-model-id', model, { timeout: 300_000 })
  const download = page.waitForEvent('download')
  await page.getByTestId('export-labels').click()
  return JSON.parse(readFileSync((await (await download).path())!, 'utf8')) as LabelsExport
}

test.describe('the CLI and the browser on the JPEG-LS chest CT', () => {
  test.skip(() => missingSharedData(ctDir) !== null, 'the chest CT is not available')
  test.describe.configure({ timeout: 900_000 })

  test('give the same labels and probabilities for both 2D models', async ({ browser, baseURL }) => {
    const reference = readSlices(sharedDataPath(ctDir))
    const context = await browser.newContext({ baseURL, viewport: { width: 1600, height: 1000 }, acceptDownloads: true })
    const researcher = demoAccount('researcher')
    await signInBrowser(context, researcher.username, researcher.password)
    const page = await context.newPage()
    const viewer = new ViewerPage(page)
    await viewer.goto()
    await viewer.openFiles(reference.files)
    await viewer.waitForSeriesLoaded(reference.files.length)

    const browserSeg = await runInBrowser(page, 'lesion-seg-2d')
    const cliSeg = runCli('lesion-seg-2d')
    expect(browserSeg.model).toEqual(cliSeg.model)
    expect(browserSeg.images).toEqual(cliSeg.images)
    const voxels = browserSeg.images.length * browserSeg.imageSize.rows * browserSeg.imageSize.columns
    const ours = decodeLabelRuns(browserSeg.labelRuns!, voxels)
    const theirs = decodeLabelRuns(cliSeg.labelRuns!, voxels)
    let differing = 0
    for (let i = 0; i < voxels; i++) if (ours[i] !== theirs[i]) differing += 1
    console.log(`lesion-seg-2d: browser ${JSON.stringify(browserSeg.labelCounts)}, CLI ${JSON.stringify(cliSeg.labelCounts)}, ${differing} voxels differ`)
    expect(differing).toBe(0)

    const browserCls = await runInBrowser(page, 'lesion-cls-2d')
    const cliCls = runCli('lesion-cls-2d')
    expect(browserCls.images).toEqual(cliCls.images)
    expect(browserCls.sliceProbabilities).toHaveLength(reference.files.length)
    let largest = 0
    browserCls.sliceProbabilities!.forEach((slice, s) => slice.forEach((p, c) => (largest = Math.max(largest, Math.abs(p - cliCls.sliceProbabilities![s]![c]!)))))
    console.log(
      `lesion-cls-2d: series ${browserCls.seriesProbabilities!.map((p) => p.toFixed(5))} vs CLI ${cliCls.seriesProbabilities!.map((p) => p.toFixed(5))}; largest slice difference ${largest.toExponential(2)}`,
    )
    expect(largest).toBeLessThan(PROBABILITY_TOLERANCE)
    await context.close()
  })
})
