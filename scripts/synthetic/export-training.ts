// Writes the training set for the 2D models: synthetic chest CTs, each slice resized to the
// models' 128×128 input exactly as the app does (lib/inference/resize.ts), with its nodule
// mask, split by study. Train studies keep every slice with a nodule and 8 without; the
// validation and test studies keep every slice (study-level metrics need them all).
//   npx tsx scripts/synthetic/export-training.ts --out .data/training [--studies 160] [--seed 1000]
import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { createRandom } from '../../lib/synthetic/chest-phantom'
import { encodeNpy } from '../../lib/synthetic/npy'
import { generateStudy, studySpecs } from '../../lib/synthetic/studies'
import { resizeBilinear } from '../../lib/imaging/resize'

const { values } = parseArgs({ options: { out: { type: 'string' }, studies: { type: 'string', default: '160' }, seed: { type: 'string', default: '1000' } } })
if (!values.out) throw new Error('usage: export-training.ts --out <dir> [--studies N] [--seed S]')
const size = 128
const specs = studySpecs(Number(values.studies), Number(values.seed))
const images: Float32Array[] = []
const masks: Uint8Array[] = []
const slices: { study: number; split: string; slice: number; positive: boolean }[] = []
for (const spec of specs) {
  const phantom = generateStudy(spec)
  const area = phantom.columns * phantom.rows
  const pick = createRandom(spec.seed + 99)
  const negatives = Array.from({ length: phantom.slices }, (_, k) => k).filter((k) => !phantom.noduleMask.subarray(k * area, (k + 1) * area).some((v) => v))
  const keptNegatives = new Set(spec.split === 'train' ? negatives.sort(() => pick.uniform() - 0.5).slice(0, 8) : negatives)
  for (let k = 0; k < phantom.slices; k++) {
    const mask = phantom.noduleMask.subarray(k * area, (k + 1) * area)
    const positive = mask.some((v) => v)
    if (!positive && !keptNegatives.has(k)) continue
    images.push(resizeBilinear(phantom.hu.subarray(k * area, (k + 1) * area), phantom.columns, phantom.rows, size, size))
    masks.push(Uint8Array.from(resizeBilinear(mask, phantom.columns, phantom.rows, size, size), (v) => (v >= 0.5 ? 1 : 0)))
    slices.push({ study: spec.index, split: spec.split, slice: k, positive })
  }
  process.stderr.write(`\rstudy ${spec.index + 1}/${specs.length}`)
}
process.stderr.write('\n')
mkdirSync(values.out, { recursive: true })
const flat = new Float32Array(images.length * size * size)
images.forEach((image, n) => flat.set(image, n * size * size))
const flatMasks = new Uint8Array(masks.length * size * size)
masks.forEach((mask, n) => flatMasks.set(mask, n * size * size))
writeFileSync(path.join(values.out, 'slices.npy'), encodeNpy(flat, [images.length, size, size]))
writeFileSync(path.join(values.out, 'masks.npy'), encodeNpy(flatMasks, [masks.length, size, size]))
writeFileSync(path.join(values.out, 'meta.json'), JSON.stringify({ size, studies: specs, slices }))
console.log(`${images.length} slices from ${specs.length} studies → ${values.out}`)
