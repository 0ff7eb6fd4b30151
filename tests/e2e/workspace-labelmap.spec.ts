import { readFileSync } from 'node:fs'
import { expect, test, type Page } from '@playwright/test'
import { decodeLabelRuns } from '../../lib/inference/labels-rle'
import { generateChestPhantom } from '../../lib/synthetic/chest-phantom'
import { studyIdentity } from '../../lib/synthetic/studies'
import { demoAccount } from '../support/accounts'
import { signInBrowser } from '../support/browser'
import { writePhantomStudy } from '../support/phantom-study'
import { meanDifference, ViewerPage } from '../pages/viewer-page'

// The labelmap document is the one copy of a segmentation on the page: an edit made to it
// (paint, undo, redo) is what the viewer draws, what "Export labels" writes and what the
// proposals count, with no other copy left behind.

const square = { from: 8, to: 128 }

async function exportedLabels(page: Page, length: number): Promise<Uint8Array> {
  const download = page.waitForEvent('download')
  await page.getByTestId('export-labels').click()
  const exported = JSON.parse(readFileSync((await (await download).path())!, 'utf8')) as { labelRuns: number[] }
  return decodeLabelRuns(exported.labelRuns, length)
}

test('an edit of the labelmap document reaches the viewer, the export and the proposals, and undo/redo restore them exactly', async ({ browser, baseURL }) => {
  test.setTimeout(300_000)
  const seed = 900_101
  const phantom = generateChestPhantom({ seed, noduleCount: 1, diameterRange: [20, 24] })
  const files = writePhantomStudy(phantom, studyIdentity(seed, `E2E${seed}`))
  const context = await browser.newContext({ baseURL, viewport: { width: 1600, height: 1000 }, acceptDownloads: true })
  const reader = demoAccount('radiologist')
  await signInBrowser(context, reader.username, reader.password)
  const page = await context.newPage()
  const viewer = new ViewerPage(page)
  await viewer.goto()
  await viewer.openFiles(files)
  await viewer.waitForSeriesLoaded(files.length)

  await page.getByTestId('model-picker').selectOption('lesion-seg-2d')
  await page.getByTestId('model-provider').selectOption('wasm')
  await page.getByTestId('run-model').click()
  await expect(page.getByTestId('inference-results')).toHaveAttribute('data-model-id', 'lesion-seg-2d', { timeout: 120_000 })
  const length = phantom.columns * phantom.rows * phantom.slices
  const original = await exportedLabels(page, length)
  const proposals = page.getByTestId('propose-findings')
  const originalCount = Number(await proposals.getAttribute('data-count'))
  const slice = Number(await viewer.main.getAttribute('data-slice-index'))
  const before = await viewer.capture()

  // Paint a square of segment 1 in the image's corner, away from the nodule, on the slice in view.
  const painted = await page.evaluate(
    ({ slice, square }) => {
      const workspace = window.parallaxWorkspace!
      const uid = workspace.studies.snapshot.selected!.series.seriesInstanceUid
      const document = workspace.labelmaps.entryFor(uid)!.document
      const { columns } = document.grid
      const mask = new Uint8Array(document.sliceSize)
      for (let row = square.from; row < square.to; row++) for (let column = square.from; column < square.to; column++) mask[row * columns + column] = 1
      return document.transact('paint', (edit) => edit.paintSlice(slice, mask, 1))
    },
    { slice, square },
  )
  expect(painted).toEqual([slice])

  const expected = Uint8Array.from(original)
  const offset = slice * phantom.columns * phantom.rows
  for (let row = square.from; row < square.to; row++) for (let column = square.from; column < square.to; column++) expected[offset + row * phantom.columns + column] = 1
  // The viewer draws the edit, the export holds it, the proposals see one more component.
  await expect.poll(async () => meanDifference(before.png, (await viewer.capture()).png)).toBeGreaterThan(1)
  expect(await exportedLabels(page, length)).toEqual(expected)
  await expect(proposals).toHaveAttribute('data-count', String(originalCount + 1))

  // Undo (Ctrl+Z) restores every voxel and the picture; redo (the button) brings the edit back.
  await page.keyboard.press('Control+z')
  await expect(proposals).toHaveAttribute('data-count', String(originalCount))
  expect(await exportedLabels(page, length)).toEqual(original)
  await expect.poll(async () => meanDifference(before.png, (await viewer.capture()).png)).toBeLessThan(0.05)
  await page.getByTestId('labelmap-redo').click()
  await expect(proposals).toHaveAttribute('data-count', String(originalCount + 1))
  expect(await exportedLabels(page, length)).toEqual(expected)
  await expect(page.getByTestId('labelmap-undo')).toBeEnabled()
  await context.close()
})
