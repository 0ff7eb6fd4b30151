// npm run infer -- --model <id> --series <folder> --out result.json [--series-uid <uid>] [--force]
// npm run infer -- --quality <folder> --out report.csv [--model <id>]
// npm run infer -- --cohort <folder> --model <id> --out <dir> [--workers n] [--shard i/n] [--truth <dir>] [--force]
// npm run infer -- --cohort-pacs <DICOMweb root> [--query <QIDO-RS query>] --model <id> --out <dir> [same options]
//
// One series: runs a registry model (2D or 3D, segmentation or classification) on a DICOM
// series in any transfer syntax the viewer decodes, with onnxruntime-node, through the very
// same decoder and pre- and post-processing as the browser, and writes the result as the
// viewer's "Export labels" does (per-label pixel counts, the labels as runs per image in
// viewer order, or a classifier's probabilities per image and for the series; timings) as
// JSON. A series that fails the model's requirements (lib/quality) is refused unless --force.
// --quality: the data-quality report of every series under a folder, as CSV.
// --cohort: every series under a folder tree; --cohort-pacs: every series of the studies a
// QIDO-RS query finds on a PACS (scripts/models/cohort.ts).
import { writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { createViewerDecoder } from '../../lib/dicom/viewer-decoder.server'
import { labelsExport, openNodeModel, qualityOfFolder, runOnFolderSeries } from '../../lib/inference/node-runner.server'
import { findModel } from '../../lib/inference/registry.server'
import { pickSeries, scanFolder } from '../../lib/inference/series-from-folder.server'
import { qualityCsv } from '../../lib/quality/findings'
import { runCohortCli } from './cohort'

const usage = [
  'usage: npm run infer -- --model <id> --series <folder> --out <result.json> [--series-uid <uid>] [--force]',
  '       npm run infer -- --quality <folder> --out <report.csv> [--model <id>]',
  '       npm run infer -- --cohort <folder> --model <id> --out <dir> [--workers n] [--shard i/n] [--truth <dir>] [--force]',
  '       npm run infer -- --cohort-pacs <DICOMweb root> [--query <QIDO-RS query>] --model <id> --out <dir> [same options as --cohort]',
  '         (Authorization header from PARALLAX_PACS_AUTHORIZATION when set)',
].join('\n')
const { values } = parseArgs({
  options: {
    model: { type: 'string' },
    series: { type: 'string' },
    out: { type: 'string' },
    'series-uid': { type: 'string' },
    force: { type: 'boolean', default: false },
    quality: { type: 'string' },
    cohort: { type: 'string' },
    'cohort-pacs': { type: 'string' },
    query: { type: 'string' },
    workers: { type: 'string' },
    shard: { type: 'string' },
    truth: { type: 'string' },
  },
})

async function runSeries(modelId: string, folder: string, out: string) {
  const decoder = createViewerDecoder()
  const model = await openNodeModel(modelId)
  try {
    const entry = pickSeries(folder, scanFolder(folder), values['series-uid'])
    const run = await runOnFolderSeries(model, entry, decoder, {
      force: values.force,
      onProgress: ({ stage, done, total }) => process.stderr.write(`\r${stage} ${done}/${total}   `),
    })
    process.stderr.write('\n')
    for (const finding of run.quality) console.warn(`[${finding.severity}] ${finding.message}`)
    const output = labelsExport(model.manifest, run)
    writeFileSync(out, JSON.stringify(output) + '\n')
    const summary =
      run.output.kind === 'segmentation'
        ? `${model.manifest.parallax.labels.map((label) => `${label.name} ${output.labelCounts[label.name]}`).join(', ')} pixels`
        : model.manifest.parallax.labels.map((label, index) => `${label.name} ${output.seriesProbabilities![index]?.toFixed(3)}`).join(', ')
    console.log(`${output.model.id} on ${run.instances.length} images: ${summary}; ${Math.round(run.timings.totalMs)} ms → ${out}`)
  } finally {
    decoder.close()
    await model.release()
  }
}

async function runQuality(folder: string, out: string, modelId: string | undefined) {
  const model = modelId ? findModel(modelId) : undefined
  if (modelId && !model) throw new Error(`No model "${modelId}" in the registry`)
  const decoder = createViewerDecoder()
  try {
    const findings = await qualityOfFolder(folder, decoder, model?.manifest.parallax)
    writeFileSync(out, qualityCsv(findings))
    const bySeverity = (severity: string) => findings.filter((finding) => finding.severity === severity).length
    console.log(`${findings.length} finding(s): ${bySeverity('error')} error(s), ${bySeverity('warning')} warning(s), ${bySeverity('info')} note(s) → ${out}`)
  } finally {
    decoder.close()
  }
}

try {
  const cohort = values.cohort ?? values['cohort-pacs']
  if (cohort && !(values.cohort && values['cohort-pacs']) && values.model && values.out) {
    const pacs = values['cohort-pacs'] !== undefined
    process.exitCode = await runCohortCli({ folder: cohort, pacs, query: values.query, modelId: values.model, out: values.out, workers: values.workers, shard: values.shard, truth: values.truth, force: values.force })
  } else if (values.quality && values.out) {
    await runQuality(values.quality, values.out, values.model)
  } else if (values.model && values.series && values.out) {
    await runSeries(values.model, values.series, values.out)
  } else {
    console.error(usage)
    process.exitCode = 1
  }
} catch (error) {
  console.error(`Failed: ${error instanceof Error ? error.message : String(error)}`)
  process.exitCode = 1
}
