// Measures how faithful each explanation method is, on held-out synthetic studies whose
// nodules are known exactly (npm run explain:faithfulness):
// - pointing game: is the heatmap's maximum inside the true nodule?
// - deletion AUC: delete the most relevant pixels first (5% per step, replaced by air) and
//   integrate the model's score; lower is better. The same for random maps is the baseline.
// Writes models/train/faithfulness.json and prints a table.
import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { explainSlice, methodsFor, methodLabels, type ExplainMethod } from '../../lib/inference/explain-slice'
import { createRandom } from '../../lib/synthetic/chest-phantom'
import { parseManifest, type ModelManifest } from '../../lib/inference/manifest'
import { createNodeSession } from '../../lib/inference/ort-node-session.server'
import { resizeBilinear } from '../../lib/imaging/resize'
import { classProbabilities, prepareSliceInput, type ModelSession } from '../../lib/inference/run-model'
import { sigmoid } from '../../lib/inference/postprocess'
import { generateStudy, studySpecs } from '../../lib/synthetic/studies'

const { values } = parseArgs({ options: { studies: { type: 'string', default: '160' }, seed: { type: 'string', default: '1000' }, limit: { type: 'string', default: '24' } } })
const root = path.resolve(import.meta.dirname, '../..')
const STEPS = 20

interface Loaded {
  manifest: ModelManifest
  bytes: Uint8Array
  session: ModelSession
}

async function load(id: string): Promise<Loaded> {
  const manifest = parseManifest(JSON.parse(readFileSync(path.join(root, 'models', id, 'manifest.json'), 'utf8')))
  const bytes = new Uint8Array(readFileSync(path.join(root, 'models', id, 'model.onnx')))
  return { manifest, bytes, session: await createNodeSession(bytes) }
}

/** The model's score for a batch of prepared inputs: calibrated probability, or mean foreground probability over the intact image's segmentation. */
async function scorer(model: Loaded, intact: Float32Array, size: number) {
  const { output, kind, postprocessing } = model.manifest.parallax
  const run = async (data: Float32Array, count: number) => (await model.session.run({ data, dims: [count, 1, size, size] }, [output]))[output]!.data
  if (kind === 'classification') {
    return async (data: Float32Array, count: number) => {
      const logits = await run(data, count)
      return Array.from({ length: count }, (_, n) => classProbabilities(model.manifest, logits.subarray(n, n + 1)).at(-1)!)
    }
  }
  const reference = sigmoid(await run(intact, 1))
  const region = Uint8Array.from(reference, (p) => (p >= (postprocessing.threshold ?? 0.5) ? 1 : 0))
  const regionSize = Math.max(
    1,
    region.reduce((sum, v) => sum + v, 0),
  )
  return async (data: Float32Array, count: number) => {
    const probabilities = sigmoid(await run(data, count))
    const pixels = size * size
    return Array.from({ length: count }, (_, n) => {
      let sum = 0
      for (let p = 0; p < pixels; p++) sum += probabilities[n * pixels + p]! * region[p]!
      return sum / regionSize
    })
  }
}

async function deletionAuc(input: Float32Array, heat: Float32Array, size: number, score: (data: Float32Array, count: number) => Promise<number[]>): Promise<number> {
  const order = Array.from(heat.keys()).sort((a, b) => heat[b]! - heat[a]!)
  const batch = new Float32Array((STEPS + 1) * size * size)
  const current = Float32Array.from(input)
  for (let step = 0; step <= STEPS; step++) {
    const upTo = Math.round((step / STEPS) * order.length)
    for (let i = Math.round(((step - 1) / STEPS) * order.length); step > 0 && i < upTo; i++) current[order[i]!] = 0
    batch.set(current, step * size * size)
  }
  const scores = await score(batch, STEPS + 1)
  let area = 0
  for (let step = 0; step < STEPS; step++) area += (scores[step]! + scores[step + 1]!) / 2 / STEPS
  return area
}

const models = [await load('lesion-cls-2d'), await load('lesion-seg-2d')]
const tests = studySpecs(Number(values.studies), Number(values.seed)).filter((spec) => spec.split === 'test' && spec.noduleCount > 0)
type Tally = { hits: number; trials: number; auc: number[] }
const results: Record<string, Record<string, Tally>> = {}
let cases = 0
for (const spec of tests) {
  if (cases >= Number(values.limit)) break
  const phantom = generateStudy(spec)
  const area = phantom.columns * phantom.rows
  for (const nodule of phantom.nodules) {
    if (cases >= Number(values.limit)) break
    const slice = Math.round((nodule.centre[2] - phantom.origin[2]) / phantom.sliceSpacing)
    const mask = phantom.noduleMask.subarray(slice * area, (slice + 1) * area)
    if (!mask.some((v) => v)) continue
    cases++
    const image = { pixels: Float32Array.from(phantom.hu.subarray(slice * area, (slice + 1) * area)), columns: phantom.columns, rows: phantom.rows }
    for (const model of models) {
      const id = model.manifest.parallax.id
      const { input, columns: size } = prepareSliceInput(model.manifest, image)
      const score = await scorer(model, input, size)
      const random = createRandom(spec.seed * 31 + slice)
      const maps: [string, Float32Array, Float32Array | null][] = []
      for (const method of methodsFor(model.manifest) as ExplainMethod[]) {
        const heat = await explainSlice(model.manifest, model.bytes, model.session, image, method)
        maps.push([methodLabels[method], heat.values, resizeBilinear(heat.values, phantom.columns, phantom.rows, size, size)])
      }
      for (let r = 0; r < 3; r++) maps.push(['random', Float32Array.from({ length: area }, () => random.uniform()), null])
      for (const [name, full, reduced] of maps) {
        const tally = ((results[id] ??= {})[name] ??= { hits: 0, trials: 0, auc: [] })
        let peak = 0
        for (let p = 1; p < full.length; p++) if (full[p]! > full[peak]!) peak = p
        tally.hits += mask[peak] ? 1 : 0
        tally.trials += 1
        tally.auc.push(await deletionAuc(input, reduced ?? Float32Array.from({ length: size * size }, () => random.uniform()), size, score))
      }
    }
    process.stderr.write(`\r${cases} nodules`)
  }
}
process.stderr.write('\n')
const mean = (list: number[]) => list.reduce((sum, v) => sum + v, 0) / list.length
const summary = Object.fromEntries(
  Object.entries(results).map(([id, methods]) => [
    id,
    Object.fromEntries(Object.entries(methods).map(([name, tally]) => [name, { pointingGame: tally.hits / tally.trials, deletionAuc: mean(tally.auc), trials: tally.trials }])),
  ]),
)
for (const [id, methods] of Object.entries(summary)) {
  console.log(`\n${id} (${cases} held-out nodules; deletion AUC: lower is better)`)
  console.log('method                  pointing game  deletion AUC  beats random')
  const randomAuc = methods.random!.deletionAuc
  for (const [name, entry] of Object.entries(methods)) {
    console.log(
      `${name.padEnd(22)}  ${(100 * entry.pointingGame).toFixed(1).padStart(12)}%  ${entry.deletionAuc.toFixed(4).padStart(12)}  ${name === 'random' ? '' : entry.deletionAuc < randomAuc ? 'yes' : 'NO'}`,
    )
  }
}
writeFileSync(path.join(root, 'models/train/faithfulness.json'), JSON.stringify({ nodules: cases, methods: summary }, null, 2) + '\n')
