import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { expect, test } from '@playwright/test'
import { readNativeFrame } from '../../lib/dicom/native-frame'
import { parseInstance } from '../../lib/dicom/parse-instance'
import { decodeLabelRuns } from '../../lib/inference/labels-rle'
import { diceCoefficient } from '../../lib/inference/postprocess'
import { demoAccount } from '../support/accounts'
import { signInBrowser } from '../support/browser'
import { readSlices } from '../support/dicom-reference'
import { pixelLeak, recordRequests } from '../support/request-log'
import { missingSharedData, sharedDataPath } from '../support/shared-data'
import { meanDifference, ViewerPage } from '../pages/viewer-page'

// The real pretrained brain model (brainchop MeshNet, registered at start from the shared
// data folder) runs in the browser on the oblique T1, on WASM, and its labelmap shows in
// every MPR plane; the CLI (onnxruntime-node, same pre- and post-processing) is the reference.
const t1Dir = 'mr-brain-t1'

interface LabelsExport {
  model: { id: string; version: string; sha256: string }
  executionProvider: string
  images: string[]
  imageSize: { rows: number; columns: number }
  labelCounts: Record<string, number>
  labelRuns: number[]
}

test.describe('brain tissue model in the browser', () => {
  test.skip(() => missingSharedData(t1Dir) !== null || missingSharedData('models', 'brain-tissue-3class') !== null, 'real MR data or model not available')
  test.describe.configure({ timeout: 420_000 })

  test('segments the T1 like the CLI and overlays the labelmap in all three planes', async ({ browser, baseURL }) => {
    const reference = readSlices(sharedDataPath(t1Dir))
    const context = await browser.newContext({ baseURL, viewport: { width: 1600, height: 1000 }, acceptDownloads: true })
    const requests = recordRequests(context)
    const researcher = demoAccount('researcher')
    await signInBrowser(context, researcher.username, researcher.password)
    const page = await context.newPage()
    const viewer = new ViewerPage(page)
    await viewer.goto()
    await viewer.openFiles(reference.files)
    await viewer.waitForSeriesLoaded(reference.files.length)

    await expect(page.getByTestId('model-picker')).toHaveValue('brain-tissue-3class')
    await page.getByTestId('model-provider').selectOption('wasm')
    await page.getByTestId('run-model').click()
    await expect(page.getByTestId('inference-progress')).toBeVisible()
    const results = page.getByTestId('inference-results')
    await expect(results).toBeVisible({ timeout: 360_000 })
    await expect(results).toHaveAttribute('data-execution-provider', 'wasm')
    // Cross-origin isolated, so ORT's WASM runs on more than one thread.
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true)
    expect(Number(await results.getAttribute('data-wasm-threads'))).toBeGreaterThan(1)

    const downloadEvent = page.waitForEvent('download')
    await page.getByTestId('export-labels').click()
    const browserResult = JSON.parse(readFileSync((await (await downloadEvent).path())!, 'utf8')) as LabelsExport

    const out = path.join(mkdtempSync(path.join(tmpdir(), 'parallax-infer-')), 'result.json')
    execFileSync(
      process.execPath,
      ['--conditions=react-server', '--import', 'tsx', 'scripts/models/infer.ts', '--model', 'brain-tissue-3class', '--series', sharedDataPath(t1Dir), '--out', out],
      {
        env: { ...process.env, PARALLAX_MODEL_STORE: '.data/e2e/models' },
        stdio: 'pipe',
      },
    )
    const cliResult = JSON.parse(readFileSync(out, 'utf8')) as LabelsExport

    expect(browserResult.model).toEqual(cliResult.model)
    expect(browserResult.images).toEqual(cliResult.images)
    const voxels = browserResult.images.length * browserResult.imageSize.rows * browserResult.imageSize.columns
    const ours = decodeLabelRuns(browserResult.labelRuns, voxels)
    const theirs = decodeLabelRuns(cliResult.labelRuns, voxels)
    for (const [value, name] of [
      [1, 'White matter'],
      [2, 'Grey matter'],
    ] as const) {
      const dice = diceCoefficient(ours, theirs, value)
      console.log(`${name}: browser ${browserResult.labelCounts[name]} voxels, CLI ${cliResult.labelCounts[name]}, Dice ${dice.toFixed(5)}`)
      expect(dice, `${name} Dice browser vs CLI`).toBeGreaterThanOrEqual(0.99)
    }

    // Aligned with the anatomy: on a T1, white matter is brighter than grey matter, which is
    // brighter than what lies outside the brain; a shifted or flipped labelmap breaks this order.
    const meanByLabel = [0, 0, 0]
    const countByLabel = [0, 0, 0]
    const sliceSize = browserResult.imageSize.rows * browserResult.imageSize.columns
    const pixelsBySop = new Map(
      reference.files.map((file, index) => {
        const bytes = new Uint8Array(readFileSync(file))
        const parsed = parseInstance(bytes, file, index)
        if (!parsed.ok) throw new Error(parsed.rejection.reason)
        return [parsed.instance.sopInstanceUid, readNativeFrame(bytes, parsed.instance)] as const
      }),
    )
    browserResult.images.forEach((sop, image) => {
      const pixels = pixelsBySop.get(sop)!
      for (let p = 0; p < sliceSize; p++) {
        const label = ours[image * sliceSize + p]!
        meanByLabel[label]! += pixels[p]!
        countByLabel[label]! += 1
      }
    })
    const [background, white, grey] = meanByLabel.map((sum, label) => sum / countByLabel[label]!)
    expect(white!).toBeGreaterThan(grey! * 1.1)
    expect(grey!).toBeGreaterThan(background! * 2)

    // The labelmap shows in every MPR plane: each plane changes when it is hidden (a plane
    // without it would not change at all).
    await page.getByTestId('layout-mpr').click()
    const planes = ['viewport-axial', 'viewport-sagittal', 'viewport-coronal']
    for (const plane of planes) await expect.poll(async () => (await viewer.capture(plane)).litFraction, { timeout: 60_000 }).toBeGreaterThan(0.05)
    const withLabels = await Promise.all(planes.map(async (plane) => (await viewer.capture(plane)).png))
    await page.getByTestId('labelmap-toggle').uncheck()
    for (const [index, plane] of planes.entries()) {
      await expect
        .poll(async () => meanDifference(withLabels[index]!, (await viewer.capture(plane)).png), { message: `${plane} shows the labelmap`, timeout: 10_000 })
        .toBeGreaterThan(0.5)
    }

    // Pixels never left the browser: every request of this workflow (sign-in, viewer, model
    // download, the run, the audit record, the export) went to the app, and none carried
    // image or mask data. The model was fetched and the run was audited.
    const appOrigin = new URL(baseURL!).origin
    const leaks = requests.map((request) => ({ request, leak: pixelLeak(request, appOrigin) })).filter((entry) => entry.leak)
    expect(leaks.map(({ request, leak }) => `${request.method} ${request.url}: ${leak}`)).toEqual([])
    expect(requests.some((request) => request.url.includes('/api/models/brain-tissue-3class/file'))).toBe(true)
    const auditPosts = requests.filter((request) => request.method === 'POST' && request.url.endsWith('/api/audit/client-events'))
    expect(auditPosts.map((request) => (JSON.parse(request.body!.toString()) as { type: string }).type)).toEqual(['study-opened', 'inference-run'])
    expect(requests.filter((request) => request.method !== 'GET').every((request) => new URL(request.url).origin === appOrigin)).toBe(true)

    // Negative control: a request that does carry pixels is caught by the same check, and the
    // server refuses a large body on its own.
    const before = requests.length
    const refused = await page.evaluate(async () => {
      const pixels = Array.from({ length: 70_000 }, (_, index) => index % 997)
      const response = await fetch('/api/audit/client-events', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'study-opened', pixels }),
      })
      return response.status
    })
    expect(refused).toBe(413)
    const smuggled = requests.slice(before).map((request) => pixelLeak(request, appOrigin))
    expect(smuggled).toEqual([expect.stringMatching(/^body of \d+ bytes$/)])
    const small = pixelLeak(
      { url: `${appOrigin}/api/audit/client-events`, method: 'POST', resourceType: 'fetch', body: Buffer.from(JSON.stringify({ mask: Array.from({ length: 100 }, () => 1) })) },
      appOrigin,
    )
    expect(small).toBe('body holds a run of 100 numbers')
    expect(pixelLeak({ url: 'https://elsewhere.example/upload', method: 'GET', resourceType: 'fetch', body: null }, appOrigin)).toBe(
      'request to another origin: https://elsewhere.example',
    )
    const response = await page.goto('/viewer')
    expect(response!.headers()['content-security-policy']).toMatch(/connect-src 'self'/)
    await context.close()
  })
})
