import 'server-only'
import { readFileSync } from 'node:fs'
import type { DicomInstance } from '../dicom/types'
import type { ViewerDecoder } from '../dicom/viewer-decoder.server'
import { encodeLabelRuns } from './labels-rle'
import type { ModelManifest } from './manifest'
import type { ModelOutput } from './model-output'
import { createNodeSession } from './ort-node-session.server'
import { findModel, verifyModelBytes } from './registry.server'
import { runModelOnSeries, type ModelSession, type PipelineTimings, type RunOptions } from './run-model'
import { assessQuality, type QualityInstance } from '../quality/assess'
import type { RequirementSource } from '../quality/requirements'
import { blockingFindings, type QualityFinding } from '../quality/findings'
import { decodeSeries, scanFolder, seriesImagesOf, type FolderSeries } from './series-from-folder.server'

// The reference runner: a registered model (any kind, 2D or 3D) on a series read from
// disk, decoded by the viewer's decoder and run through the browser's pipeline
// (runModelOnSeries) on onnxruntime-node. The CLI and the cohort workers use it.

export interface NodeModel {
  manifest: ModelManifest
  session: ModelSession
  release(): Promise<void>
}

/** The registered model's verified file in an onnxruntime-node session. */
export async function openNodeModel(id: string, options: { threads?: number } = {}): Promise<NodeModel> {
  const model = findModel(id)
  if (!model) throw new Error(`No model "${id}" in the registry`)
  if (!model.filePath) throw new Error(`Model "${id}" has no file yet: add it with npm run models:add`)
  const bytes = new Uint8Array(readFileSync(model.filePath))
  verifyModelBytes(model.manifest, bytes)
  const session = await createNodeSession(bytes, options)
  return { manifest: model.manifest, session, release: () => session.release() }
}

export interface SeriesRun {
  instances: DicomInstance[]
  output: ModelOutput
  timings: PipelineTimings & { decodeMs: number; totalMs: number }
  /** The series' quality report against the model. */
  quality: QualityFinding[]
}

/** The model would not be trusted on this series (its manifest's requirements are not met); `force` runs it anyway. */
export class SeriesSkipped extends Error {
  constructor(
    readonly blocking: QualityFinding[],
    /** The whole report, blocking findings included. */
    readonly quality: QualityFinding[],
  ) {
    super(blocking.map((finding) => finding.message).join('; '))
    this.name = 'SeriesSkipped'
  }
}

export async function runOnFolderSeries(model: NodeModel, entry: FolderSeries, decoder: ViewerDecoder, options: RunOptions & { force?: boolean } = {}): Promise<SeriesRun> {
  const started = performance.now()
  const decoded = await decodeSeries(entry, decoder)
  const decodeMs = performance.now() - started
  const quality = assessQuality(decoded.quality, { model: model.manifest.parallax })
  const blocking = blockingFindings(quality)
  if (blocking.length && !options.force) throw new SeriesSkipped(blocking, quality)
  const images = seriesImagesOf(decoded)
  const result = await runModelOnSeries(model.manifest, images, model.session, options)
  return { instances: images.instances, output: result.output, timings: { ...result.timings, decodeMs, totalMs: performance.now() - started }, quality }
}

/** The run as the viewer's "Export labels" writes it (model-panel.client.tsx), so the two compare field by field. */
export function labelsExport(manifest: ModelManifest, run: SeriesRun) {
  const { output, instances } = run
  const first = instances[0]!
  return {
    model: { id: manifest.parallax.id, version: manifest.version, sha256: manifest.parallax.file.sha256 },
    runtime: 'onnxruntime-node',
    executionProvider: 'cpu',
    seriesInstanceUid: first.seriesInstanceUid,
    images: instances.map((instance) => instance.sopInstanceUid),
    imageSize: { rows: first.rows, columns: first.columns },
    labelCounts: Object.fromEntries(manifest.parallax.labels.map((label) => [label.name, output.kind === 'segmentation' ? (output.labelCounts[label.value] ?? 0) : 0])),
    timings: run.timings,
    labelRuns: output.kind === 'segmentation' ? encodeLabelRuns(output.labels) : null,
    seriesProbabilities: output.kind === 'classification' ? output.seriesProbabilities : null,
    sliceProbabilities: output.kind === 'classification' ? output.sliceProbabilities : null,
  }
}

export type LabelsExport = ReturnType<typeof labelsExport>

/** The quality report of every series under a folder (each image decoded by the viewer's decoder), against a model's manifest when one is given. */
export async function qualityOfFolder(dir: string, decoder: ViewerDecoder, model?: RequirementSource): Promise<QualityFinding[]> {
  const findings: QualityFinding[] = []
  const byStudy = new Map<string, FolderSeries[]>()
  for (const entry of scanFolder(dir).series) byStudy.set(entry.studyInstanceUid, [...(byStudy.get(entry.studyInstanceUid) ?? []), entry])
  for (const study of byStudy.values()) {
    // Study by study, so the study-level checks see all of a study's series and memory holds one series' pixels at a time.
    const instances: QualityInstance[] = []
    for (const entry of study) instances.push(...(await decodeSeries(entry, decoder)).quality)
    findings.push(...assessQuality(instances, model ? { model } : {}))
  }
  return findings
}
