// npm run infer -- --model <id> --series <folder> --out result.json [--series-uid <uid>]
// Runs a registry model (2D or 3D, segmentation or classification) on a DICOM series in any
// transfer syntax the viewer decodes, with onnxruntime-node, through the very same decoder
// and pre- and post-processing as the browser, and writes the result as the viewer's
// "Export labels" does (per-label pixel counts, the labels as runs per image in viewer
// order, or a classifier's probabilities per image and for the series; timings) as JSON.
import { writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { createViewerDecoder } from '../../lib/dicom/viewer-decoder.server'
import { labelsExport, openNodeModel, runOnFolderSeries } from '../../lib/inference/node-runner.server'
import { pickSeries, scanFolder } from '../../lib/inference/series-from-folder.server'

const usage = 'usage: npm run infer -- --model <id> --series <folder> --out <result.json> [--series-uid <uid>]'
const { values } = parseArgs({ options: { model: { type: 'string' }, series: { type: 'string' }, out: { type: 'string' }, 'series-uid': { type: 'string' } } })
if (!values.model || !values.series || !values.out) {
  console.error(usage)
  process.exit(1)
}

const decoder = createViewerDecoder()
try {
  const model = await openNodeModel(values.model)
  const entry = pickSeries(values.series, scanFolder(values.series), values['series-uid'])
  const run = await runOnFolderSeries(model, entry, decoder, {
    onProgress: ({ stage, done, total }) => process.stderr.write(`\r${stage} ${done}/${total}   `),
  })
  process.stderr.write('\n')
  await model.release()
  const output = labelsExport(model.manifest, run)
  writeFileSync(values.out, JSON.stringify(output) + '\n')
  const summary =
    run.output.kind === 'segmentation'
      ? `${model.manifest.parallax.labels.map((label) => `${label.name} ${output.labelCounts[label.name]}`).join(', ')} pixels`
      : model.manifest.parallax.labels.map((label, index) => `${label.name} ${output.seriesProbabilities![index]?.toFixed(3)}`).join(', ')
  console.log(`${output.model.id} on ${run.instances.length} images: ${summary}; ${Math.round(run.timings.totalMs)} ms → ${values.out}`)
} catch (error) {
  console.error(`Failed: ${error instanceof Error ? error.message : String(error)}`)
  process.exitCode = 1
} finally {
  decoder.close()
}
