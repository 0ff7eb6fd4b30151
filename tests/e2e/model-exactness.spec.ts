import { readFileSync } from 'node:fs'
import * as ort from 'onnxruntime-node'
import { expect, test } from '@playwright/test'
import { parseManifest } from '../../lib/inference/manifest'
import { compareOutputs, planModelCheck } from '../../lib/inference/model-check'
import type { ModelSummary } from '../../lib/inference/model-summary'
import { demoAccount } from '../support/accounts'
import { apiSession } from '../support/api'
import { signInBrowser } from '../support/browser'
import { missingSharedData } from '../support/shared-data'

// Exactness: every registry model with a file gives the same outputs on Chromium's WebGPU
// (SwiftShader here: a CPU emulation, so the check input is small), Chromium's WASM and
// onnxruntime-node, fed the same seeded input (model-check.ts). Compared: the raw output
// tensor (logits), element by element, and the argmax labelling it implies.
const LOGIT_TOLERANCE = 1e-3

test.describe('model exactness across runtimes', () => {
  test.skip(() => missingSharedData('models', 'brain-tissue-3class') !== null, 'the pretrained model is not available')
  test.describe.configure({ timeout: 300_000 })

  test('WebGPU, WASM and onnxruntime-node agree on every registered model', async ({ browser, baseURL }) => {
    const admin = demoAccount('admin')
    const api = await apiSession(baseURL!, admin.username, admin.password)
    const models = ((await (await api.get('/api/models')).json()) as ModelSummary[]).filter((model) => model.fileUrl)
    expect(models.map((model) => model.manifest.parallax.id)).toContain('brain-tissue-3class')

    const context = await browser.newContext({ baseURL, acceptDownloads: true })
    await signInBrowser(context, admin.username, admin.password)
    const page = await context.newPage()
    await page.goto('/admin/models')
    for (const model of models) {
      const manifest = parseManifest(model.manifest)
      const id = manifest.parallax.id
      await page.locator(`[data-testid="model-row"][data-model-id="${id}"]`).getByTestId('model-check').click()
      const result = page.locator(`[data-testid="model-check-result"][data-model-id="${id}"]`)
      await expect(result).toBeVisible({ timeout: 240_000 })
      await expect(result.getByTestId('model-check-webgpu'), `${id} ran on WebGPU`).toHaveAttribute('data-status', 'ok')
      await expect(result.getByTestId('model-check-wasm'), `${id} ran on WASM`).toHaveAttribute('data-status', 'ok')
      console.log(
        `${id} WebGPU vs WASM in the browser: ${await result.getByTestId('model-check-comparison').innerText()}; ${await result.getByTestId('model-check-webgpu').innerText()}`,
      )
      const download = page.waitForEvent('download')
      await result.getByTestId('model-check-download').click()
      const browserOutputs = JSON.parse(readFileSync((await (await download).path())!, 'utf8')) as { dims: number[]; outputs: Record<'webgpu' | 'wasm', number[]> }

      const bytes = new Uint8Array(await (await api.get(model.fileUrl!)).body())
      const plan = planModelCheck(manifest, bytes)
      const session = await ort.InferenceSession.create(plan.model)
      const feeds = { [session.inputNames[0]!]: new ort.Tensor('float32', plan.input.data, [...plan.input.dims]) }
      const nodeOutput = (await session.run(feeds))[manifest.parallax.output]!
      await session.release()
      expect(browserOutputs.dims).toEqual([...nodeOutput.dims])
      const channels = manifest.network_data_format.outputs[manifest.parallax.output]!.num_channels
      const reference = nodeOutput.data as Float32Array
      for (const provider of ['wasm', 'webgpu'] as const) {
        const comparison = compareOutputs(Float32Array.from(browserOutputs.outputs[provider]), reference, channels)
        console.log(
          `${id} ${provider} vs onnxruntime-node (${plan.description}): max |Δ| ${comparison.maxAbsDifference.toExponential(2)}, argmax agreement ${(100 * comparison.argmaxAgreement).toFixed(3)}%`,
        )
        expect(comparison.maxAbsDifference, `${id} ${provider} logits`).toBeLessThanOrEqual(LOGIT_TOLERANCE)
        expect(comparison.argmaxAgreement, `${id} ${provider} labels`).toBeGreaterThanOrEqual(0.99)
      }
    }
    await context.close()
    await api.dispose()
  })
})
