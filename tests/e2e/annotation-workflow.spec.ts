import { copyFileSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { expect, test, type Page } from '@playwright/test'
import { generateChestPhantom } from '../../lib/synthetic/chest-phantom'
import { studyIdentity } from '../../lib/synthetic/studies'
import { demoAccount } from '../support/accounts'
import { signInBrowser } from '../support/browser'
import { dciodvfyFile, missingDciodvfy } from '../support/dciodvfy'
import { writePhantomStudy } from '../support/phantom-study'
import { pixelLeak, recordRequests } from '../support/request-log'
import { ViewerPage } from '../pages/viewer-page'

// The researcher's whole correction loop on a generated phantom whose truth is exact:
// lesion-seg-2d's output, corrected with brush, eraser, threshold brush, scissors, fill
// between slices, region grow, undo and clicks of the interactive model, exported as a SEG
// that dciodvfy passes and that imports back to identical labels; the corrected segment's
// Dice against the truth beats the model's. No pixel or mask reaches our server.

/** Segment 1's mask (the model's nodule segment) on the selected series, as voxel indices. */
function segmentVoxels(page: Page): Promise<number[]> {
  return page.evaluate(() => {
    const workspace = window.parallaxWorkspace!
    const document = workspace.labelmaps.entryFor(workspace.studies.snapshot.selected!.series.seriesInstanceUid)!.document
    const mask = document.mask(document.segments[0]!.number)
    const voxels: number[] = []
    for (let index = 0; index < mask.length; index++) if (mask[index]) voxels.push(index)
    return voxels
  })
}

function dice(voxels: number[], truth: Uint8Array): number {
  let overlap = 0
  for (const index of voxels) overlap += truth[index]!
  const truthCount = truth.reduce((sum, value) => sum + value, 0)
  return (2 * overlap) / (voxels.length + truthCount)
}

/** Screen position of a voxel centre of the shown slice: calibrated from the voxels an editing tool reports under two cursor positions. */
async function voxelToScreen(page: Page): Promise<(column: number, row: number) => [number, number]> {
  const box = (await page.getByTestId('viewport-main').boundingBox())!
  const probe = async (fx: number, fy: number) => {
    await page.mouse.move(box.x + box.width * fx, box.y + box.height * fy)
    await expect(page.getByTestId('value-under-cursor')).not.toHaveAttribute('data-ijk', '')
    const ijk = (await page.getByTestId('value-under-cursor').getAttribute('data-ijk'))!.split(',').map(Number)
    return { x: box.x + box.width * fx, y: box.y + box.height * fy, column: ijk[0]!, row: ijk[1]! }
  }
  const a = await probe(0.35, 0.35)
  const b = await probe(0.65, 0.65)
  const sx = (b.x - a.x) / (b.column - a.column)
  const sy = (b.y - a.y) / (b.row - a.row)
  return (column, row) => [a.x + (column - a.column) * sx, a.y + (row - a.row) * sy]
}

test('a researcher corrects lesion-seg-2d with every tool and the interactive model, exports a valid SEG that imports identically, and beats the model’s Dice', async ({
  browser,
  baseURL,
}) => {
  test.setTimeout(480_000)
  const seed = 900_431
  const phantom = generateChestPhantom({ seed, noduleCount: 1, diameterRange: [16, 20] })
  const nodule = phantom.nodules[0]!
  const files = writePhantomStudy(phantom, studyIdentity(seed, `E2E${seed}`))
  const area = phantom.columns * phantom.rows
  const centre = {
    column: Math.round((nodule.centre[0] - phantom.origin[0]) / phantom.pixelSpacing),
    row: Math.round((nodule.centre[1] - phantom.origin[1]) / phantom.pixelSpacing),
    slice: Math.round((nodule.centre[2] - phantom.origin[2]) / phantom.sliceSpacing),
  }
  const radiusMm = nodule.diameterMm / 2
  // Between lung parenchyma (about −860 HU) and the nodule's own density.
  const noduleRange = { low: Math.round((nodule.hu - 860) / 2), high: 400 }

  const context = await browser.newContext({ baseURL, viewport: { width: 1600, height: 1000 }, acceptDownloads: true })
  const requests = recordRequests(context)
  const researcher = demoAccount('researcher')
  await signInBrowser(context, researcher.username, researcher.password)
  const page = await context.newPage()
  const errors: string[] = []
  page.on('pageerror', (error) => errors.push(error.message))
  const viewer = new ViewerPage(page)
  await viewer.goto()
  await viewer.openFiles(files)
  await viewer.waitForSeriesLoaded(files.length)

  // The model's pre-segmentation.
  await page.getByTestId('model-picker').selectOption('lesion-seg-2d')
  await page.getByTestId('model-provider').selectOption('wasm')
  await page.getByTestId('run-model').click()
  await expect(page.getByTestId('inference-results')).toHaveAttribute('data-model-id', 'lesion-seg-2d', { timeout: 120_000 })
  const ai = await segmentVoxels(page)
  const aiDice = dice(ai, phantom.noduleMask)
  console.log(`lesion-seg-2d: ${ai.length} voxels, Dice ${aiDice.toFixed(4)} against the truth`)

  await page.keyboard.press('Home')
  for (let step = 0; step < centre.slice; step++) await page.keyboard.press('ArrowDown')
  await expect(viewer.main).toHaveAttribute('data-slice-index', String(centre.slice))
  await viewer.selectTool('SegmentBrush')
  const toScreen = await voxelToScreen(page)
  const onSlice = (voxels: number[], slice: number) => voxels.filter((index) => Math.floor(index / area) === slice)

  // Brush in the lung beside the nodule, undone; painted again and removed with the eraser.
  const beside = toScreen(centre.column + Math.round((radiusMm + 12) / phantom.pixelSpacing), centre.row)
  await page.getByTestId('brush-radius').fill('3')
  await page.mouse.click(...beside)
  await expect.poll(async () => (await segmentVoxels(page)).length).toBeGreaterThan(ai.length)
  await page.keyboard.press('Control+z')
  await expect.poll(() => segmentVoxels(page)).toEqual(ai)
  await page.mouse.click(...beside)
  await expect.poll(async () => (await segmentVoxels(page)).length).toBeGreaterThan(ai.length)
  await viewer.selectTool('SegmentEraser')
  await page.getByTestId('brush-radius').fill('5')
  await page.mouse.click(...beside)
  const aiSet = new Set(ai)
  await expect.poll(async () => (await segmentVoxels(page)).filter((index) => !aiSet.has(index))).toEqual([])
  const afterEraser = await segmentVoxels(page)

  // Scissors erase a rectangle over the nodule on the slice shown; fill between slices
  // restores labels there from the slices around it.
  await viewer.selectTool('SegmentScissors')
  await page.getByTestId('scissors-mode').selectOption('erase')
  const margin = Math.round((radiusMm + 2) / phantom.pixelSpacing)
  const from = toScreen(centre.column - margin, centre.row - margin)
  const to = toScreen(centre.column + margin, centre.row + margin)
  await page.mouse.move(...from)
  await page.mouse.down()
  await page.mouse.move(...to, { steps: 8 })
  await page.mouse.up()
  await expect.poll(async () => onSlice(await segmentVoxels(page), centre.slice).length).toBe(0)
  expect(onSlice(afterEraser, centre.slice - 1).length * onSlice(afterEraser, centre.slice + 1).length, 'the model labelled the slices around the centre').toBeGreaterThan(0)
  await page.getByTestId('segment-interpolate').click()
  await expect.poll(async () => onSlice(await segmentVoxels(page), centre.slice).length, { timeout: 60_000 }).toBeGreaterThan(0)

  // Threshold brush over the nodule: only voxels in the range are added.
  const beforeThreshold = new Set(await segmentVoxels(page))
  await viewer.selectTool('ThresholdBrush')
  await page.getByTestId('brush-radius').fill(String(Math.ceil(radiusMm + 2)))
  await page.getByTestId('threshold-low').fill(String(noduleRange.low))
  await page.getByTestId('threshold-high').fill(String(noduleRange.high))
  await page.mouse.click(...toScreen(centre.column, centre.row))
  await expect.poll(async () => (await segmentVoxels(page)).length).toBeGreaterThan(beforeThreshold.size)
  const added = (await segmentVoxels(page)).filter((index) => !beforeThreshold.has(index))
  expect(added.filter((index) => phantom.hu[index]! < noduleRange.low || phantom.hu[index]! > noduleRange.high)).toEqual([])

  // Region grow from the nodule's centre within its range: the nodule through every slice.
  await page.getByTestId('grow-low').fill(String(noduleRange.low))
  await page.getByTestId('grow-high').fill(String(noduleRange.high))
  await viewer.selectTool('RegionGrow')
  const beforeGrow = (await segmentVoxels(page)).length
  await page.mouse.click(...toScreen(centre.column, centre.row))
  await expect.poll(async () => (await segmentVoxels(page)).length, { timeout: 30_000 }).toBeGreaterThan(beforeGrow)
  await expect(page.getByTestId('segments-error')).toHaveCount(0)

  // Two positive clicks of the interactive model on the centre slice (in the worker).
  await viewer.selectTool('SegmentClick')
  await page.mouse.click(...toScreen(centre.column, centre.row))
  await expect(page.getByTestId('interactive-status')).toHaveAttribute('data-status', 'done', { timeout: 120_000 })
  await page.mouse.click(...toScreen(centre.column + 1, centre.row))
  await expect(page.getByTestId('interactive-status')).toHaveAttribute('data-clicks', '2')
  await expect(page.getByTestId('interactive-status')).toHaveAttribute('data-status', 'done', { timeout: 120_000 })

  const corrected = await segmentVoxels(page)
  const correctedDice = dice(corrected, phantom.noduleMask)
  console.log(`corrected: ${corrected.length} voxels, Dice ${correctedDice.toFixed(4)} (model ${aiDice.toFixed(4)})`)
  expect(correctedDice).toBeGreaterThan(aiDice)

  // Exported as a SEG (valid), and imported back with its series: identical labels.
  const download = page.waitForEvent('download')
  await page.getByTestId('export-seg').click()
  const segPath = path.join(mkdtempSync(path.join(tmpdir(), 'parallax-workflow-')), 'corrected.dcm')
  copyFileSync((await (await download).path())!, segPath)
  if (!missingDciodvfy()) expect(dciodvfyFile(segPath).errors).toEqual([])
  const ingested = Number(await page.getByTestId('viewer').getAttribute('data-ingest-count'))
  await viewer.openFiles([...files, segPath])
  await expect(page.getByTestId('viewer')).toHaveAttribute('data-ingest-count', String(ingested + 1))
  await expect(page.getByTestId('seg-item')).toHaveAttribute('data-state', 'loaded', { timeout: 60_000 })
  expect(await segmentVoxels(page)).toEqual(corrected)

  const appOrigin = new URL(baseURL!).origin
  expect(requests.map((request) => pixelLeak(request, appOrigin)).filter(Boolean)).toEqual([])
  expect(errors).toEqual([])
  await context.close()
})
