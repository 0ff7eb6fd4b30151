// The interactive model's click-to-mask latency in onnxruntime-node, as the CLI runs it:
// refineSlice (the input tensor built from the slice, its clicks and the previous mask, one
// forward pass, the mask resized back to the slice) against the bare session.run of the
// same input, in the same run, on one held-out phantom study's nodule slices with DeepGrow's
// simulated clicks. The session is created once and kept, as the browser worker keeps it.
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { buildRefineInput, refineSlice, type RefineInput, type SliceClick } from '../../lib/inference/interactive'
import { parseManifest } from '../../lib/inference/manifest'
import { createNodeSession } from '../../lib/inference/ort-node-session.server'
import { nextSimulatedClick } from '../../lib/inference/simulated-clicks'
import { generateStudy, studySpecs } from '../../lib/synthetic/studies'
import { percentile } from './format'
import { root } from './server'

export interface ClickModelResult {
  clicks: number
  sliceSize: string
  refine: { p50: number; p95: number }
  sessionRun: { p50: number; p95: number }
}

export async function measureClickModel(clickCount: number): Promise<ClickModelResult> {
  const dir = path.join(root, 'models/nodule-click-2d')
  const manifest = parseManifest(JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')))
  const session = await createNodeSession(new Uint8Array(readFileSync(path.join(dir, 'model.onnx'))))
  const study = generateStudy(studySpecs(160, 1000).find((spec) => spec.split === 'test' && spec.noduleCount > 0)!)
  const { columns, rows } = study
  const area = columns * rows
  const slices = Array.from({ length: study.slices }, (_, k) => k).filter((k) => study.noduleMask.subarray(k * area, (k + 1) * area).some(Boolean))
  const refineMs: number[] = []
  const runMs: number[] = []
  try {
    // One warm-up pass: the first run allocates ORT's buffers.
    const warm = { pixels: Float32Array.from(study.hu.subarray(slices[0]! * area, (slices[0]! + 1) * area)), columns, rows, clicks: [{ column: 0, row: 0, positive: true }] }
    await refineSlice(manifest, session, warm)
    for (let n = 0; refineMs.length < clickCount; n++) {
      const k = slices[n % slices.length]!
      const pixels = Float32Array.from(study.hu.subarray(k * area, (k + 1) * area))
      const truth = study.noduleMask.subarray(k * area, (k + 1) * area)
      const clicks: SliceClick[] = []
      let mask: Uint8Array | null = null
      for (let round = 0; round < 5 && refineMs.length < clickCount; round++) {
        const click = nextSimulatedClick(truth, mask, columns, rows)
        if (!click) break
        clicks.push(click)
        const input: RefineInput = { pixels, columns, rows, clicks, previous: mask }
        let started = performance.now()
        mask = (await refineSlice(manifest, session, input)).mask
        refineMs.push(performance.now() - started)
        const tensor = buildRefineInput(manifest, input)
        started = performance.now()
        await session.run(tensor, [manifest.parallax.output])
        runMs.push(performance.now() - started)
      }
    }
  } finally {
    await session.release()
  }
  return {
    clicks: refineMs.length,
    sliceSize: `${columns}×${rows}`,
    refine: { p50: percentile(refineMs, 50), p95: percentile(refineMs, 95) },
    sessionRun: { p50: percentile(runMs, 50), p95: percentile(runMs, 95) },
  }
}
