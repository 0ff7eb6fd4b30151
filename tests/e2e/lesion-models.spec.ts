import { readFileSync } from 'node:fs'
import { expect, test, type Page } from '@playwright/test'
import { decodeLabelRuns } from '../../lib/inference/labels-rle'
import { diceCoefficient } from '../../lib/inference/postprocess'
import { generateChestPhantom, type ChestPhantom } from '../../lib/synthetic/chest-phantom'
import { studyIdentity } from '../../lib/synthetic/studies'
import { demoAccount } from '../support/accounts'
import { signInBrowser } from '../support/browser'
import { writePhantomStudy } from '../support/phantom-study'
import { pixelLeak, recordRequests } from '../support/request-log'
import { meanDifference, ViewerPage } from '../pages/viewer-page'

// Our own 2D models on generated studies whose truth is exact: the segmentation overlaps
// the true nodule, the classifier's CAM points into it, and on a study without nodules the
// calibrated probability stays under the operating point. Studies are generated here, from
// seeds outside the training range, so they were never seen in training.

const writeStudy = (phantom: ChestPhantom, seed: number) => writePhantomStudy(phantom, studyIdentity(seed, `E2E${seed}`))

async function runModel(page: Page, id: string) {
  await page.getByTestId('model-picker').selectOption(id)
  await page.getByTestId('model-provider').selectOption('wasm')
  await page.getByTestId('run-model').click()
  const results = page.getByTestId('inference-results')
  await expect(results).toHaveAttribute('data-model-id', id, { timeout: 120_000 })
  return results
}

test.describe('lesion models on synthetic studies', () => {
  test.describe.configure({ timeout: 300_000 })

  test('find the nodule (Dice, CAM peak) and stay quiet on a lesion-free study', async ({ browser, baseURL }) => {
    const seed = 900_001
    const phantom = generateChestPhantom({ seed, noduleCount: 1, diameterRange: [24, 28] })
    const nodule = phantom.nodules[0]!
    const files = writeStudy(phantom, seed)
    const context = await browser.newContext({ baseURL, viewport: { width: 1600, height: 1000 }, acceptDownloads: true })
    const requests = recordRequests(context)
    const reader = demoAccount('radiologist')
    await signInBrowser(context, reader.username, reader.password)
    const page = await context.newPage()
    const viewer = new ViewerPage(page)
    await viewer.goto()
    await viewer.openFiles(files)
    await viewer.waitForSeriesLoaded(files.length)

    // Segmentation against the exact mask, over the whole series.
    await runModel(page, 'lesion-seg-2d')
    const download = page.waitForEvent('download')
    await page.getByTestId('export-labels').click()
    const exported = JSON.parse(readFileSync((await (await download).path())!, 'utf8')) as { labelRuns: number[] }
    const labels = decodeLabelRuns(exported.labelRuns, phantom.noduleMask.length)
    const dice = diceCoefficient(labels, phantom.noduleMask, 1)
    console.log(`nodule ${nodule.diameterMm.toFixed(1)} mm at ${nodule.centre.map((v) => v.toFixed(0)).join(',')}: Dice ${dice.toFixed(3)}`)
    expect(dice).toBeGreaterThanOrEqual(0.7)

    // Classification and CAM on the slice through the nodule's centre.
    const results = await runModel(page, 'lesion-cls-2d')
    await expect(results.getByTestId('classification-summary')).toHaveAttribute('data-decision', 'positive')
    const slice = Math.round((nodule.centre[2] - phantom.origin[2]) / phantom.sliceSpacing)
    await page.keyboard.press('Home')
    for (let step = 0; step < slice; step++) await page.keyboard.press('ArrowDown')
    await expect(viewer.main).toHaveAttribute('data-slice-index', String(slice))
    await page.getByTestId('explain-method').selectOption('cam')
    const before = await viewer.capture()
    await page.getByTestId('explain-run').click()
    const explained = page.getByTestId('explain-result')
    await expect(explained).toHaveAttribute('data-image-index', String(slice), { timeout: 60_000 })
    const column = Number(await explained.getAttribute('data-peak-column'))
    const row = Number(await explained.getAttribute('data-peak-row'))
    const area = phantom.columns * phantom.rows
    console.log(
      `CAM peak at column ${column}, row ${row}; nodule centre at column ${((nodule.centre[0] - phantom.origin[0]) / phantom.pixelSpacing).toFixed(1)}, row ${((nodule.centre[1] - phantom.origin[1]) / phantom.pixelSpacing).toFixed(1)}`,
    )
    expect(phantom.noduleMask[slice * area + row * phantom.columns + column], 'the CAM peak lies inside the true nodule').toBe(1)
    // The heatmap is drawn over the image, and hiding it removes it.
    await expect.poll(async () => meanDifference(before.png, (await viewer.capture()).png)).toBeGreaterThan(1)
    await expect(page.getByTestId('heatmap-colorbar')).toBeVisible()

    // A study without nodules: the calibrated probability stays below the operating point.
    const cleanSeed = 900_002
    const clean = generateChestPhantom({ seed: cleanSeed, noduleCount: 0 })
    const cleanFiles = writeStudy(clean, cleanSeed)
    await viewer.openFiles(cleanFiles)
    await expect(page.getByTestId('viewer')).toHaveAttribute('data-ingest-count', '2')
    await viewer.waitForSeriesLoaded(cleanFiles.length)
    const cleanResults = await runModel(page, 'lesion-cls-2d')
    const summary = cleanResults.getByTestId('classification-summary')
    await expect(summary).toHaveAttribute('data-decision', 'negative')
    console.log(`lesion-free study: series probability ${await summary.getAttribute('data-series-probability')}`)

    // Both models, the explanation and the exports ran without a pixel leaving the browser.
    const appOrigin = new URL(baseURL!).origin
    expect(requests.map((request) => pixelLeak(request, appOrigin)).filter(Boolean)).toEqual([])
    await context.close()
  })
})
