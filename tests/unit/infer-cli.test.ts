// `npm run infer` on the shared chest CT, stored as JPEG-LS: both 2D models run on it, and
// their labels (and probabilities) equal those of the same images decoded by dcmtk into an
// uncompressed copy, and those the browser's pipeline (runModelOnSeries) computes from
// pixels read independently of Cornerstone's decoders (readNativeFrame on that copy).
// Per-slice models see one image at a time, so a subset of the series gives, image for
// image, what the whole series gives.
import { describe, it, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { execFile, spawnSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { stackGeometryOf } from '../../lib/dicom/geometry'
import { readNativeFrame } from '../../lib/dicom/native-frame'
import { parseInstance } from '../../lib/dicom/parse-instance'
import { orderSeries } from '../../lib/dicom/series-geometry'
import { decodeLabelRuns } from '../../lib/inference/labels-rle'
import type { LabelsExport } from '../../lib/inference/node-runner.server'
import { openNodeModel } from '../../lib/inference/node-runner.server'
import { runModelOnSeries } from '../../lib/inference/run-model'
import { missingSharedData, sharedDataPath } from '../support/shared-data'

const ctDir = 'ct-chest-lidc0314'
const dcmdjpls = process.env.DCMDJPLS_PATH ?? '/usr/bin/dcmdjpls'
const SUBSET = 12

function missingDcmdjpls(): string | false {
  if (existsSync(dcmdjpls)) return false
  const message = `dcmdjpls not found at ${dcmdjpls}: install Debian's dcmtk (apt-get install -y dcmtk)`
  if (process.env.CI === 'true') throw new Error(`${message} (CI=true: mandatory)`)
  console.warn(`[skipped] ${message}`)
  return message
}

async function infer(model: string, series: string, out: string): Promise<LabelsExport> {
  await promisify(execFile)(process.execPath, ['--conditions=react-server', '--import', 'tsx', 'scripts/models/infer.ts', '--model', model, '--series', series, '--out', out], {
    timeout: 300_000,
    maxBuffer: 64 * 1024 * 1024,
  })
  return JSON.parse(readFileSync(out, 'utf8')) as LabelsExport
}

/** Per image (by SOP Instance UID): its labels, or its probabilities. */
function perImage(result: LabelsExport): Map<string, number[]> {
  const size = result.imageSize.rows * result.imageSize.columns
  const labels = result.labelRuns ? decodeLabelRuns(result.labelRuns, size * result.images.length) : null
  return new Map(result.images.map((sop, index) => [sop, labels ? [...labels.subarray(index * size, (index + 1) * size)] : result.sliceProbabilities![index]!]))
}

const skip = missingSharedData(ctDir) ?? missingDcmdjpls()
describe('npm run infer on a JPEG-LS CT with the 2D models', { skip }, () => {
  let work: string
  let compressed: string
  let uncompressed: string

  before(() => {
    work = mkdtempSync(path.join(tmpdir(), 'parallax-infer-cli-'))
    compressed = path.join(work, 'jpeg-ls')
    uncompressed = path.join(work, 'uncompressed')
    mkdirSync(compressed)
    mkdirSync(uncompressed)
    const names = readdirSync(sharedDataPath(ctDir))
      .filter((name) => name.endsWith('.dcm'))
      .sort()
    // Spread over the series, so both lung and non-lung slices are in it.
    const step = Math.floor(names.length / SUBSET)
    for (const name of names.filter((_, index) => index % step === 0).slice(0, SUBSET)) {
      copyFileSync(sharedDataPath(ctDir, name), path.join(compressed, name))
      const run = spawnSync(dcmdjpls, [path.join(compressed, name), path.join(uncompressed, name)], { encoding: 'utf8' })
      assert.equal(run.status, 0, run.stderr)
    }
  })
  after(() => rmSync(work, { recursive: true, force: true }))

  for (const model of ['lesion-seg-2d', 'lesion-cls-2d']) {
    it(`${model}: runs on the whole series; the same per image as on a dcmtk-decoded copy and as the pure pipeline`, async () => {
      const whole = await infer(model, sharedDataPath(ctDir), path.join(work, `${model}-whole.json`))
      assert.equal(whole.images.length, 275)
      assert.equal(whole.model.id, model)
      const onCopy = await infer(model, uncompressed, path.join(work, `${model}-copy.json`))
      assert.equal(onCopy.images.length, SUBSET)

      // The browser's pipeline, fed modality values read without Cornerstone.
      const files = readdirSync(uncompressed).map((name) => new Uint8Array(readFileSync(path.join(uncompressed, name))))
      const parsed = files.map((bytes, index) => {
        const result = parseInstance(bytes, String(index), index)
        assert.ok(result.ok)
        return { bytes, instance: result.instance }
      })
      const ordered = orderSeries(parsed.map((entry) => entry.instance)).instances
      const bytesOf = new Map(parsed.map((entry) => [entry.instance.sopInstanceUid, entry.bytes]))
      const node = await openNodeModel(model)
      const pure = await runModelOnSeries(
        node.manifest,
        {
          geometry: stackGeometryOf(ordered[0]!)!,
          positions: ordered.map((instance) => instance.imagePositionPatient!),
          pixels: ordered.map((instance) => readNativeFrame(bytesOf.get(instance.sopInstanceUid)!, instance)),
        },
        node.session,
      )
      await node.release()

      const wholeByImage = perImage(whole)
      const copyByImage = perImage(onCopy)
      assert.deepEqual(
        onCopy.images,
        ordered.map((instance) => instance.sopInstanceUid),
      )
      let positive = 0
      for (const [index, instance] of ordered.entries()) {
        const sop = instance.sopInstanceUid
        const size = instance.rows * instance.columns
        const expected = pure.output.kind === 'segmentation' ? [...pure.output.labels.subarray(index * size, (index + 1) * size)] : pure.output.sliceProbabilities[index]!
        assert.deepEqual(copyByImage.get(sop), expected, `${sop}: the CLI on the uncompressed copy differs from the pure pipeline`)
        assert.deepEqual(wholeByImage.get(sop), expected, `${sop}: the CLI on JPEG-LS differs from the pure pipeline`)
        positive += expected.some((value) => value > 0) ? 1 : 0
      }
      // A test that could not tell all-zero outputs apart would prove nothing.
      assert.ok(positive > 0, 'every compared image came out empty')
    })
  }
})
