// npm run infer -- --model <id> --series <folder> --out result.json [--series-uid <uid>]
// Runs a registry model on a DICOM series with onnxruntime-node, through the very same
// pre- and post-processing as the browser, and writes the result (per-label voxel counts,
// the labels as runs per image in viewer order, timings) as JSON.
import { readFileSync, writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { encodeLabelRuns } from '../../lib/inference/labels-rle'
import { createNodeSession } from '../../lib/inference/ort-node-session.server'
import { findModel, verifyModelBytes } from '../../lib/inference/registry.server'
import { segmentStack } from '../../lib/inference/run-model'
import { loadSeriesFromFolder } from '../../lib/inference/series-from-folder.server'

const usage = 'usage: npm run infer -- --model <id> --series <folder> --out <result.json> [--series-uid <uid>]'
const { values } = parseArgs({ options: { model: { type: 'string' }, series: { type: 'string' }, out: { type: 'string' }, 'series-uid': { type: 'string' } } })
if (!values.model || !values.series || !values.out) {
  console.error(usage)
  process.exit(1)
}

try {
  const model = findModel(values.model)
  if (!model) throw new Error(`No model "${values.model}" in the registry`)
  if (!model.filePath) throw new Error(`Model "${values.model}" has no file yet: add it with npm run models:add`)
  const bytes = new Uint8Array(readFileSync(model.filePath))
  verifyModelBytes(model.manifest, bytes)
  const { sha256 } = model.manifest.parallax.file
  const series = loadSeriesFromFolder(values.series, values['series-uid'])
  const session = await createNodeSession(bytes)
  const started = performance.now()
  const result = await segmentStack(model.manifest, series.stack, session, {
    onProgress: ({ stage, done, total }) => process.stderr.write(`\r${stage} ${done}/${total}   `),
  })
  const totalMs = performance.now() - started
  process.stderr.write('\n')
  await session.release()
  const { labels } = model.manifest.parallax
  const output = {
    model: { id: model.manifest.parallax.id, version: model.manifest.version, sha256 },
    runtime: 'onnxruntime-node',
    executionProvider: 'cpu',
    seriesInstanceUid: series.seriesInstanceUid,
    images: series.instances.map((instance) => instance.sopInstanceUid),
    imageSize: { rows: series.instances[0]!.rows, columns: series.instances[0]!.columns },
    modelGrid: result.modelGrid,
    interpolatedSlices: series.stack.interpolatedSlices.length,
    labelCounts: Object.fromEntries(labels.map((label) => [label.name, result.output.labelCounts[label.value] ?? 0])),
    timings: { ...result.timings, totalMs },
    labelRuns: encodeLabelRuns(result.output.labels),
  }
  writeFileSync(values.out, JSON.stringify(output) + '\n')
  console.log(`${output.model.id} on ${series.instances.length} images: ${labels.map((label) => `${label.name} ${output.labelCounts[label.name]}`).join(', ')} voxels; ${Math.round(totalMs)} ms → ${values.out}`)
} catch (error) {
  console.error(`Failed: ${error instanceof Error ? error.message : String(error)}`)
  process.exit(1)
}
