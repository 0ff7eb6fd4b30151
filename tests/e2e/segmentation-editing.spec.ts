import { expect, test, type Page } from '@playwright/test'
import { generateChestPhantom, type ChestPhantom } from '../../lib/synthetic/chest-phantom'
import { studyIdentity } from '../../lib/synthetic/studies'
import { demoAccount } from '../support/accounts'
import { signInBrowser } from '../support/browser'
import { writePhantomStudy } from '../support/phantom-study'
import { meanDifference, ViewerPage } from '../pages/viewer-page'

// The editing tools on a generated phantom, read back from the labelmap document
// (window.parallaxWorkspace): a brush stroke dragged in the sagittal plane paints the axial
// slices it crosses, on one sagittal plane of voxels, as one undo step that restores the
// labels exactly; the eraser removes the same voxels; the threshold brush paints only voxels
// in its HU range; the scissors fill and erase a rectangle on the slice shown; region grow
// fills exactly the connected in-range region of its seed (checked with a flood fill here).

/** Lung parenchyma (−860 HU plus noise), excluding soft tissue, nodules and air outside the body. */
const lungRange = { low: -1000, high: -700 }

interface LabelState {
  sha256: string
  /** Voxel indices holding the segment. */
  voxels: number[]
  canUndo: boolean
}

async function labelState(page: Page, segment: number): Promise<LabelState> {
  return page.evaluate(async (segment) => {
    const workspace = window.parallaxWorkspace!
    const uid = workspace.studies.snapshot.selected!.series.seriesInstanceUid
    const document = workspace.labelmaps.entryFor(uid)!.document
    const labels = document.labels
    const digest = await crypto.subtle.digest('SHA-256', labels.slice())
    const voxels: number[] = []
    for (let index = 0; index < labels.length; index++) if (labels[index] === segment) voxels.push(index)
    return { sha256: Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, '0')).join(''), voxels, canUndo: document.canUndo }
  }, segment)
}

/** A drag inside a viewport, in fractions of its width and height. */
async function drag(page: Page, testId: string, from: [number, number], to: [number, number]) {
  const box = (await page.getByTestId(testId).boundingBox())!
  await page.mouse.move(box.x + box.width * from[0], box.y + box.height * from[1])
  await page.mouse.down()
  await page.mouse.move(box.x + box.width * to[0], box.y + box.height * to[1], { steps: 12 })
  await page.mouse.up()
}

const unique = (values: number[]) => [...new Set(values)].sort((a, b) => a - b)

/** The 6-connected voxels of `phantom` within [low, high] HU reachable from `seed`, sorted. */
function floodFill(phantom: ChestPhantom, seed: number, { low, high }: { low: number; high: number }): number[] {
  const { columns, rows, slices, hu } = phantom
  const area = columns * rows
  const seen = new Uint8Array(hu.length)
  const stack = [seed]
  seen[seed] = 1
  const region: number[] = []
  while (stack.length) {
    const index = stack.pop()!
    region.push(index)
    const i = index % columns
    const j = Math.floor(index / columns) % rows
    const k = Math.floor(index / area)
    const neighbours = [
      i > 0 ? index - 1 : -1,
      i < columns - 1 ? index + 1 : -1,
      j > 0 ? index - columns : -1,
      j < rows - 1 ? index + columns : -1,
      k > 0 ? index - area : -1,
      k < slices - 1 ? index + area : -1,
    ]
    for (const next of neighbours) {
      if (next < 0 || seen[next] || hu[next]! < low || hu[next]! > high) continue
      seen[next] = 1
      stack.push(next)
    }
  }
  return region.sort((a, b) => a - b)
}

test('brush in the sagittal plane, eraser, threshold brush, scissors and region grow edit the labelmap document, and undo restores it exactly', async ({ browser, baseURL }) => {
  test.setTimeout(300_000)
  const seed = 900_212
  const phantom = generateChestPhantom({ seed, noduleCount: 1, diameterRange: [12, 16] })
  const files = writePhantomStudy(phantom, studyIdentity(seed, `E2E${seed}`))
  const area = phantom.columns * phantom.rows
  const context = await browser.newContext({ baseURL, viewport: { width: 1600, height: 1000 } })
  const researcher = demoAccount('researcher')
  await signInBrowser(context, researcher.username, researcher.password)
  const page = await context.newPage()
  const viewer = new ViewerPage(page)
  await viewer.goto()
  await viewer.openFiles(files)
  await viewer.waitForSeriesLoaded(files.length)

  // An empty document on the series, with one segment, active.
  await page.getByTestId('segmentation-new').click()
  await expect(page.getByTestId('segments-panel')).toHaveAttribute('data-segments', '1')
  await expect(page.getByTestId('segments-panel')).toHaveAttribute('data-active-segment', '1')
  const empty = await labelState(page, 1)
  expect(empty.voxels).toHaveLength(0)

  await page.getByTestId('layout-mpr').click()
  for (const plane of ['viewport-axial', 'viewport-sagittal', 'viewport-coronal']) {
    await expect.poll(async () => (await viewer.capture(plane)).litFraction, { message: `${plane} rendered`, timeout: 60_000 }).toBeGreaterThan(0.05)
  }

  // Brush: a vertical stroke through the middle of the sagittal view crosses the axial slices
  // around the volume's centre, all on one column (the sagittal plane), one voxel thick.
  await viewer.selectTool('SegmentBrush')
  await page.getByTestId('brush-radius').fill('4')
  const axialBefore = (await viewer.capture('viewport-axial')).png
  await drag(page, 'viewport-sagittal', [0.5, 0.45], [0.5, 0.55])
  await expect.poll(async () => (await labelState(page, 1)).voxels.length).toBeGreaterThan(0)
  const stroke = await labelState(page, 1)
  const strokeSlices = unique(stroke.voxels.map((index) => Math.floor(index / area)))
  expect(strokeSlices.length, 'the stroke spans several axial slices').toBeGreaterThanOrEqual(3)
  expect(strokeSlices.at(-1)! - strokeSlices[0]! + 1, 'and leaves none out between them').toBe(strokeSlices.length)
  const middle = (phantom.slices - 1) / 2
  expect(
    strokeSlices.some((slice) => Math.abs(slice - middle) < 1),
    'it crosses the middle slice, under the view’s centre',
  ).toBe(true)
  expect(unique(stroke.voxels.map((index) => index % phantom.columns)), 'on one sagittal plane').toHaveLength(1)
  await expect.poll(async () => meanDifference(axialBefore, (await viewer.capture('viewport-axial')).png), { message: 'the axial view shows the stroke' }).toBeGreaterThan(0)

  // One undo step restores every voxel; redo brings the stroke back.
  await page.keyboard.press('Control+z')
  await expect.poll(async () => (await labelState(page, 1)).sha256).toBe(empty.sha256)
  expect((await labelState(page, 1)).canUndo).toBe(false)
  await page.keyboard.press('Control+Shift+z')
  await expect.poll(async () => (await labelState(page, 1)).sha256).toBe(stroke.sha256)

  // Eraser: the same drag removes exactly what the brush painted.
  await viewer.selectTool('SegmentEraser')
  await drag(page, 'viewport-sagittal', [0.5, 0.45], [0.5, 0.55])
  await expect.poll(async () => (await labelState(page, 1)).sha256).toBe(empty.sha256)

  // Threshold brush across both lungs and the mediastinum in the axial view: only lung voxels, on one slice.
  await viewer.selectTool('ThresholdBrush')
  await page.getByTestId('brush-radius').fill('12')
  await page.getByTestId('threshold-low').fill(String(lungRange.low))
  await page.getByTestId('threshold-high').fill(String(lungRange.high))
  await drag(page, 'viewport-axial', [0.25, 0.5], [0.75, 0.5])
  await expect.poll(async () => (await labelState(page, 1)).voxels.length).toBeGreaterThan(50)
  const thresholded = await labelState(page, 1)
  expect(unique(thresholded.voxels.map((index) => Math.floor(index / area))), 'one axial slice').toHaveLength(1)
  const outOfRange = thresholded.voxels.filter((index) => phantom.hu[index]! < lungRange.low || phantom.hu[index]! > lungRange.high)
  expect(outOfRange, 'every painted voxel lies in the HU range').toEqual([])

  // Scissors: a rectangle filled on the slice shown, then erased.
  await viewer.selectTool('SegmentScissors')
  await drag(page, 'viewport-axial', [0.45, 0.3], [0.55, 0.4])
  await expect.poll(async () => (await labelState(page, 1)).voxels.length).toBeGreaterThan(thresholded.voxels.length)
  const filled = await labelState(page, 1)
  const before = new Set(thresholded.voxels)
  const added = filled.voxels.filter((index) => !before.has(index))
  expect(unique(added.map((index) => Math.floor(index / area))), 'the rectangle lies on one slice').toHaveLength(1)
  const slice = Math.floor(added[0]! / area)
  const columns = added.map((index) => index % phantom.columns)
  const rows = added.map((index) => Math.floor((index % area) / phantom.columns))
  const box: number[] = []
  for (let row = Math.min(...rows); row <= Math.max(...rows); row++)
    for (let column = Math.min(...columns); column <= Math.max(...columns); column++) box.push(slice * area + row * phantom.columns + column)
  const filledSet = new Set(filled.voxels)
  expect(
    box.filter((index) => !filledSet.has(index)),
    'the whole rectangle is filled',
  ).toEqual([])
  await page.getByTestId('scissors-mode').selectOption('erase')
  await drag(page, 'viewport-axial', [0.45, 0.3], [0.55, 0.4])
  await expect.poll(async () => (await labelState(page, 1)).voxels.length).toBeLessThan(filled.voxels.length)
  const erased = new Set((await labelState(page, 1)).voxels)
  expect(
    box.filter((index) => erased.has(index)),
    'the rectangle is erased',
  ).toEqual([])
  expect(
    thresholded.voxels.filter((index) => !box.includes(index) && !erased.has(index)),
    'nothing outside it',
  ).toEqual([])

  // Region grow, on a second segment: a click in the left lung fills its connected lung voxels, exactly.
  await page.getByTestId('segment-add').click()
  await expect(page.getByTestId('segments-panel')).toHaveAttribute('data-active-segment', '2')
  await page.getByTestId('grow-low').fill(String(lungRange.low))
  await page.getByTestId('grow-high').fill(String(lungRange.high))
  await viewer.selectTool('RegionGrow')
  const axial = (await page.getByTestId('viewport-axial').boundingBox())!
  await page.mouse.click(axial.x + axial.width * 0.3, axial.y + axial.height * 0.5)
  await expect.poll(async () => (await labelState(page, 2)).voxels.length, { timeout: 30_000 }).toBeGreaterThan(1000)
  await expect(page.getByTestId('segments-error')).toHaveCount(0)
  const grown = (await labelState(page, 2)).voxels
  expect(grown).toEqual(floodFill(phantom, grown[0]!, lungRange))
  await context.close()
})
