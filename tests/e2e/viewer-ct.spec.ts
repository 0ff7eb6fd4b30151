import { expect, test } from '@playwright/test'
import { demoAccount } from '../support/accounts'
import { apiSession } from '../support/api'
import { signInBrowser } from '../support/browser'
import { readSlices } from '../support/dicom-reference'
import { missingSharedData, sharedDataPath } from '../support/shared-data'
import { meanDifference, ViewerPage } from '../pages/viewer-page'

const ctDir = 'ct-chest-lidc0314'

test.describe('chest CT from local files', () => {
  test.skip(() => missingSharedData(ctDir) !== null, 'real CT data not available')
  test.describe.configure({ timeout: 180_000 })

  test('first image, median slice, W/L preset, length in mm, MPR, audit', async ({ browser, baseURL }) => {
    const reference = readSlices(sharedDataPath(ctDir))
    const context = await browser.newContext({ baseURL, viewport: { width: 1600, height: 1000 } })
    const radiologist = demoAccount('radiologist')
    await signInBrowser(context, radiologist.username, radiologist.password)
    const page = await context.newPage()
    const viewer = new ViewerPage(page)
    await viewer.goto()

    await viewer.openFiles(reference.files)
    await expect(page.getByTestId('series-item')).toHaveCount(1, { timeout: 60_000 })
    await expect(viewer.main).not.toHaveAttribute('data-slice-index', '-1', { timeout: 60_000 })
    await viewer.waitForSeriesLoaded(275)
    expect((await viewer.capture()).litFraction, 'first image rendered').toBeGreaterThan(0.1)

    // Index 0 is the first slice along the slice normal, whatever the file names (the CT
    // opens on its most superior slice: viewer-workspace.spec.ts checks that).
    await viewer.main.click()
    await page.keyboard.press('Home')
    await expect(viewer.main).toHaveAttribute('data-slice-index', '0')
    const firstPosition = reference.slices[0]!.position
    await expect(viewer.main).toHaveAttribute('data-image-position', firstPosition.join('\\'))

    // Scroll to the middle with the keyboard: the slice shown has the median position.
    const middle = Math.floor(reference.slices.length / 2)
    for (let step = 0; step < middle; step += 1) await page.keyboard.press('ArrowDown')
    await expect(viewer.main).toHaveAttribute('data-slice-index', String(middle))
    await expect(viewer.main).toHaveAttribute('data-image-position', reference.slices[middle]!.position.join('\\'))

    // A window preset changes the rendered pixels.
    const before = await viewer.capture()
    await page.getByTestId('window-preset').selectOption('lung')
    await expect(viewer.main).toHaveAttribute('data-window', '1500/-600')
    const after = await viewer.capture()
    expect(meanDifference(before.png, after.png), 'lung window changes the image').toBeGreaterThan(5)

    // A length measurement reports millimetres consistent with PixelSpacing.
    await viewer.selectTool('Length')
    const box = (await viewer.main.boundingBox())!
    await page.mouse.move(box.x + box.width * 0.35, box.y + box.height * 0.5)
    await page.mouse.down()
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.6, { steps: 8 })
    await page.mouse.move(box.x + box.width * 0.65, box.y + box.height * 0.55, { steps: 8 })
    await page.mouse.up()
    const measurement = page.getByTestId('measurement').first()
    await expect(measurement).toHaveAttribute('data-kind', 'length')
    await expect(measurement).not.toHaveAttribute('data-value', '')
    const [rowSpacing, columnSpacing] = reference.pixelSpacing
    // Cornerstone's Length tool recomputes its statistics throttled (100 ms, trailing): the
    // value may trail the final handles for a moment, so the two are read together until they agree.
    const reading = async () => {
      const value = Number(await measurement.getAttribute('data-value'))
      const points = JSON.parse((await measurement.getAttribute('data-pixel-points'))!) as [number, number][]
      expect(points).toHaveLength(2)
      const [[c1, r1], [c2, r2]] = points as [[number, number], [number, number]]
      return { value, expected: Math.hypot((c2 - c1) * columnSpacing, (r2 - r1) * rowSpacing) }
    }
    await expect
      .poll(
        async () => {
          const { value, expected } = await reading()
          return Math.abs(value - expected) / expected
        },
        { message: 'the length agrees with its end points and PixelSpacing' },
      )
      .toBeLessThan(0.005)
    expect((await reading()).expected).toBeGreaterThan(20)
    await expect(measurement).toContainText('mm')

    // MPR: three planes of the same volume.
    await page.getByTestId('layout-mpr').click()
    for (const plane of ['viewport-axial', 'viewport-sagittal', 'viewport-coronal']) {
      await expect(page.getByTestId(plane)).toBeVisible()
      await expect.poll(async () => (await viewer.capture(plane)).litFraction, { message: `${plane} rendered`, timeout: 60_000 }).toBeGreaterThan(0.05)
    }

    // Opening the study was audited, with the study UID hashed.
    const auditor = demoAccount('auditor')
    const api = await apiSession(baseURL!, auditor.username, auditor.password)
    const { events } = (await (await api.get('/api/audit/events?limit=100')).json()) as {
      events: { eventType: string; eventCode: string; actor: { username: string } | null; entities: { type: string; id: string }[]; details: Record<string, unknown> }[]
    }
    const opened = events.find((event) => event.eventType === 'study-opened' && event.actor?.username === radiologist.username)
    expect(opened?.eventCode).toBe('110103')
    expect(opened?.details.instanceCount).toBe(275)
    const study = opened?.entities.find((entity) => entity.type === 'study')
    expect(study?.id).toMatch(/^[0-9a-f]{64}$/)
    await Promise.all([api.dispose(), context.close()])
  })
})
