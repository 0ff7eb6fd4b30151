'use client'
import { useEffect, useMemo, useRef, useState } from 'react'
import { reportClientAuditEvent } from '../audit/report.client'
import { downloadJson } from '../http/download.client'
import type { DicomSeries } from '../dicom/types'
import type { Viewer } from '../viewer/viewer.client'
import { InferenceRunError, releaseAll, startInference, type InferenceProgressMessage, type InferenceResult, type InferenceRun } from '../inference/inference.client'
import type { ProviderPreference } from '../inference/inference-protocol'
import { encodeLabelRuns } from '../inference/labels-rle'
import type { ModelSummary } from '../inference/model-summary'
import { findingsFromOutput } from '../findings/proposals'
import type { FindingProposal } from '../findings/schema'
import { seriesFrameOf, stackGeometryOf } from '../dicom/geometry'
import type { ProposedFinding } from '../findings/types'
import type { LabelmapDocument } from '../annotation/labelmap-document'
import { assessSeries } from '../quality/assess'
import { blockingFindings } from '../quality/findings'
import { ClassificationSummary } from './classification-summary.client'
import { ExplainPanel } from './explain-panel.client'
import type { LabelmapStore } from './labelmap-store'
import { labelmapFromModel } from './model-labelmap'
import { markWorkerClock, runMark } from './run-marks'
import { ProviderChoiceLine, useProviderChoice } from './provider-choice.client'
import { describeWarmup, useModelWarmup } from './model-warmup.client'
import { describeMeasurement, type ProviderMeasurement } from '../inference/provider-choice'
import type { QualityStore } from './quality-store'
import { useStore } from './use-store.client'

// The AI panel of the viewer: pick a model that fits the series, run it in this browser
// (never on the server), follow its progress, cancel it, see what it found and where it
// ran, and overlay the result. Each run is audited with the model's identity and SHA-256.
// A segmentation becomes the series' labelmap document in the workspace: the viewer
// renders it, and the counts, the export and the proposals read it (with any edits).

type PanelState =
  | { status: 'idle' }
  | { status: 'running'; progress: InferenceProgressMessage | null; startedAt: number }
  | { status: 'done'; result: InferenceResult; model: ModelSummary; durationMs: number; choice: ProviderMeasurement | null }
  | { status: 'failed'; message: string }

const stageLabel: Record<InferenceProgressMessage['stage'], string> = {
  'loading-model': 'Loading the model',
  'creating-session': 'Starting the runtime',
  preprocessing: 'Preparing the images',
  inference: 'Running the model',
  postprocessing: 'Building the labelmap',
}

interface ModelPanelProps {
  viewer: Viewer | null
  series: DicomSeries | null
  imageIds: string[]
  /** The image shown in the main viewport, for per-slice results. */
  sliceIndex: number | null
  /** The page's labelmap documents: a segmentation run writes the series' document. */
  labelmaps: LabelmapStore
  /** The study's quality report inputs: a model's manifest requirements are checked against them. */
  quality: QualityStore
  /** Where a result's findings go for review; absent for roles that do not review. */
  onPropose?: (proposal: FindingProposal) => Promise<void>
}

export function ModelPanel({ viewer, series, imageIds, sliceIndex, labelmaps, quality, onPropose }: ModelPanelProps) {
  const [models, setModels] = useState<ModelSummary[] | null>(null)
  const [loadError, setLoadError] = useState<string | null>(null)
  const [chosen, setChosen] = useState('')
  const [provider, setProvider] = useState<ProviderPreference>('auto')
  const [state, setState] = useState<PanelState>({ status: 'idle' })
  const [explanationShown, setExplanationShown] = useState<string | null>(null)
  const [proposal, setProposal] = useState<{ status: 'sending' | 'sent' | 'failed'; message: string } | null>(null)
  const run = useRef<InferenceRun | null>(null)

  useEffect(() => {
    fetch('/api/models')
      .then(async (response) => {
        if (!response.ok) throw new Error(`HTTP ${response.status}`)
        setModels((await response.json()) as ModelSummary[])
      })
      .catch((error: Error) => setLoadError(`The model list could not be loaded: ${error.message}`))
  }, [])
  // The worker keeps each model's session while the viewer is open; leaving it gives them back.
  useEffect(() => () => void releaseAll(), [])

  const seriesUid = series?.seriesInstanceUid
  useEffect(() => {
    // A result belongs to its series: switching series cancels a run and drops the result.
    run.current?.cancel()
    run.current = null
    setState({ status: 'idle' })
    setProposal(null)
  }, [seriesUid, viewer])

  const { visible: overlayVisible, revision } = useStore(labelmaps)
  const labelmap = state.status === 'done' && state.result.output.kind === 'segmentation' ? (labelmaps.entryFor(seriesUid)?.document ?? null) : null
  // What the run proposes for review, derived once per result and labelmap edit.
  const proposals = useMemo(
    () => (state.status === 'done' && series ? proposedFindings(state, series, labelmap) : []),
    // `revision` changes on every edit of the document, which is edited in place.
    [state, series, labelmap, revision],
  )
  const labelCounts = useMemo(
    () => (state.status === 'done' ? (labelmap?.counts() ?? (state.result.output.kind === 'segmentation' ? state.result.output.labelCounts : [])) : []),
    // Counted again on each edit (`revision`), not on each render.
    [state, labelmap, revision],
  )

  // Interactive models answer clicks (the interactive panel), not a run over the series.
  const applicable = (models ?? []).filter((model) => series && model.manifest.parallax.kind !== 'interactive' && model.manifest.parallax.modalities.includes(series.modality))
  const selected = applicable.find((model) => model.manifest.parallax.id === chosen) ?? applicable[0] ?? null
  // What would make the CLI skip this series for this model: the reader is warned, and may still run it.
  const assessed = useStore(quality).bySeries.get(seriesUid ?? '')
  const choice = useProviderChoice(selected?.manifest ?? null)
  const warmup = useModelWarmup(selected, provider, choice, viewer && series ? viewer : null)
  const unmet = useMemo(() => (selected && assessed ? blockingFindings(assessSeries(assessed, { model: selected.manifest.parallax })) : []), [selected, assessed])

  async function runModel() {
    if (!viewer || !series || !selected?.fileUrl) return
    const geometry = series.instances[0] ? stackGeometryOf(series.instances[0]) : null
    if (!geometry || series.instances.some((instance) => !instance.imagePositionPatient || instance.numberOfFrames > 1)) {
      setState({ status: 'failed', message: 'This model needs single-frame images with position, orientation and pixel spacing.' })
      return
    }
    const startedAt = performance.mark(runMark.click).startTime
    setProposal(null)
    setState({ status: 'running', progress: null, startedAt })
    const report = (outcome: 'success' | 'failed' | 'cancelled', executionProvider: 'webgpu' | 'wasm', error?: string) =>
      reportClientAuditEvent({
        type: 'inference-run',
        model: { id: selected.manifest.parallax.id, version: selected.manifest.version, sha256: selected.manifest.parallax.file.sha256 },
        seriesInstanceUid: series.seriesInstanceUid,
        executionProvider,
        durationMs: performance.now() - startedAt,
        outcome,
        ...(error ? { error: error.slice(0, 500) } : {}),
      })
    try {
      // "Auto" runs on the choice measured for this model here, or measures it on this run.
      const stored = provider === 'auto' ? await choice.current() : null
      const pixels = await viewer.imagePixels(imageIds)
      performance.mark(runMark.pixelsRead)
      const current = startInference(
        {
          manifest: selected.manifest,
          fileUrl: selected.fileUrl,
          geometry,
          positions: series.instances.map((instance) => instance.imagePositionPatient!),
          pixels,
          provider: stored?.measurement?.chosen ?? provider,
          measure: stored !== null && stored.measurement === null,
        },
        (progress) => setState((previous) => (previous.status === 'running' ? { ...previous, progress } : previous)),
      )
      performance.mark(runMark.posted)
      run.current = current
      const result = await current.result
      performance.mark(runMark.resultReceived)
      markWorkerClock(result.clock)
      run.current = null
      if (result.output.kind === 'segmentation') {
        labelmaps.put({ document: labelmapFromModel(series.seriesInstanceUid, series.instances[0]!, imageIds.length, result.output.labels, selected.manifest), imageIds })
        performance.mark(runMark.labelmapBuilt)
      }
      if (stored && result.measurement) choice.keep(stored.key, result.measurement)
      setState({ status: 'done', result, model: selected, durationMs: performance.now() - startedAt, choice: result.measurement ?? stored?.measurement ?? null })
      void report('success', result.executionProvider)
    } catch (error) {
      run.current = null
      const cancelled = error instanceof InferenceRunError && error.kind === 'cancelled'
      const message = error instanceof Error ? error.message : String(error)
      setState(cancelled ? { status: 'idle' } : { status: 'failed', message })
      const executionProvider = error instanceof InferenceRunError && error.executionProvider ? error.executionProvider : provider === 'webgpu' ? 'webgpu' : 'wasm'
      void report(cancelled ? 'cancelled' : 'failed', executionProvider, cancelled ? undefined : message)
    }
  }

  function exportLabels(done: Extract<PanelState, { status: 'done' }>) {
    if (!series) return
    const { manifest } = done.model
    const { output } = done.result
    const body = {
      model: { id: manifest.parallax.id, version: manifest.version, sha256: manifest.parallax.file.sha256 },
      runtime: 'onnxruntime-web',
      executionProvider: done.result.executionProvider,
      seriesInstanceUid: series.seriesInstanceUid,
      images: series.instances.map((instance) => instance.sopInstanceUid),
      imageSize: { rows: series.instances[0]!.rows, columns: series.instances[0]!.columns },
      labelCounts: Object.fromEntries(manifest.parallax.labels.map((label) => [label.name, labelCounts[label.value] ?? 0])),
      timings: { ...done.result.timings, totalMs: done.durationMs },
      providerChoice: done.choice,
      labelRuns: labelmap ? encodeLabelRuns(labelmap.labels) : null,
      seriesProbabilities: output.kind === 'classification' ? output.seriesProbabilities : null,
      sliceProbabilities: output.kind === 'classification' ? output.sliceProbabilities : null,
    }
    downloadJson(`${manifest.parallax.id}-labels.json`, body)
  }

  async function propose(done: Extract<PanelState, { status: 'done' }>) {
    if (!onPropose) return
    const findings = proposals
    setProposal({ status: 'sending', message: 'Sending…' })
    try {
      await onPropose({
        model: { id: done.model.manifest.parallax.id, version: done.model.manifest.version, sha256: done.model.manifest.parallax.file.sha256 },
        executionProvider: done.result.executionProvider,
        explanationMethod: explanationShown,
        findings,
      })
      setProposal({
        status: 'sent',
        message: findings.length === 0 ? 'Recorded: the model found nothing.' : `${findings.length} finding${findings.length === 1 ? '' : 's'} sent to review.`,
      })
    } catch (error) {
      setProposal({ status: 'failed', message: `The findings could not be sent: ${(error as Error).message}` })
    }
  }

  if (!series) return null
  const voxelMl = series.instances[0]?.pixelSpacing
    ? (series.instances[0].pixelSpacing[0] * series.instances[0].pixelSpacing[1] * (series.geometry.sliceSpacing ?? 1)) / 1000
    : null

  return (
    <section data-testid="model-panel" data-status={state.status}>
      <h2 style={{ margin: '0 0 .4rem' }}>AI models</h2>
      {loadError && <p className="error">{loadError}</p>}
      {models && applicable.length === 0 && <p className="muted">No registered model applies to {series.modality} series.</p>}
      {applicable.length > 0 && (
        <>
          <div className="form-row">
            <select
              aria-label="Model"
              data-testid="model-picker"
              value={selected?.manifest.parallax.id ?? ''}
              onChange={(event) => setChosen(event.target.value)}
              disabled={state.status === 'running'}
            >
              {applicable.map((model) => (
                <option key={model.manifest.parallax.id} value={model.manifest.parallax.id} disabled={!model.fileUrl}>
                  {model.manifest.parallax.name} {model.manifest.version}
                  {model.fileUrl ? '' : ' (file not added)'}
                </option>
              ))}
            </select>
            <select
              aria-label="Runtime"
              data-testid="model-provider"
              value={provider}
              onChange={(event) => setProvider(event.target.value as ProviderPreference)}
              disabled={state.status === 'running'}
            >
              <option value="auto">Auto (the faster here, measured)</option>
              <option value="webgpu">WebGPU</option>
              <option value="wasm">CPU (WASM)</option>
            </select>
          </div>
          {selected && provider === 'auto' && <ProviderChoiceLine choice={choice} disabled={state.status === 'running'} />}
          {selected && (
            <p className="muted" style={{ fontSize: '.75rem' }}>
              {selected.manifest.intended_use}
            </p>
          )}
          {unmet.length > 0 && (
            <div className="warn" role="status" data-testid="model-requirements-warning" data-codes={unmet.map((finding) => finding.code).join(' ')} style={{ fontSize: '.8rem' }}>
              This series does not meet what {selected?.manifest.parallax.name} requires; its result may not be trustworthy:
              <ul style={{ paddingLeft: '1rem', margin: '.2rem 0' }}>
                {unmet.map((finding, index) => (
                  <li key={index}>{finding.message}</li>
                ))}
              </ul>
            </div>
          )}
          <div className="form-row">
            <button
              type="button"
              data-testid="run-model"
              data-warmup={warmup.status}
              data-warmup-reused={warmup.status === 'ready' ? String(warmup.warmed.sessionReused) : ''}
              title={warmup.status === 'failed' ? `Preparing the model failed: ${warmup.message}` : undefined}
              disabled={!selected?.fileUrl || state.status === 'running' || !viewer}
              onClick={() => void runModel()}
            >
              Run in this browser
            </button>
            {state.status === 'running' && (
              <button type="button" data-testid="cancel-inference" onClick={() => run.current?.cancel()}>
                Cancel
              </button>
            )}
          </div>
        </>
      )}
      {state.status === 'running' && (
        <div data-testid="inference-progress" data-stage={state.progress?.stage ?? 'starting'}>
          <div className="muted">
            {state.progress ? `${stageLabel[state.progress.stage]}${state.progress.total > 1 ? ` (${state.progress.done}/${state.progress.total})` : ''}…` : 'Starting…'}
          </div>
          <div className="progress">
            <div style={{ width: `${state.progress && state.progress.total ? (100 * state.progress.done) / state.progress.total : 0}%` }} />
          </div>
        </div>
      )}
      {state.status === 'failed' && (
        <p className="error" role="alert" data-testid="inference-error">
          {state.message}
        </p>
      )}
      {state.status === 'done' && (
        <div
          data-testid="inference-results"
          data-model-id={state.model.manifest.parallax.id}
          data-execution-provider={state.result.executionProvider}
          data-duration-ms={Math.round(state.durationMs)}
          data-timings={JSON.stringify(state.result.timings)}
          data-session-reused={String(state.result.sessionReused)}
          data-warmup={state.result.warmup ? JSON.stringify(state.result.warmup) : ''}
          data-provider-note={providerNote(state)}
          data-provider-choice={state.choice ? JSON.stringify(state.choice) : ''}
          data-wasm-threads={state.result.wasmThreads}
          data-label-counts={JSON.stringify(Object.fromEntries(state.model.manifest.parallax.labels.map((label) => [label.name, labelCounts[label.value] ?? 0])))}
        >
          {state.result.output.kind === 'classification' && (
            <ClassificationSummary
              model={state.model}
              seriesProbability={state.result.output.seriesProbabilities.at(-1)!}
              sliceProbability={sliceIndex !== null ? (state.result.output.sliceProbabilities[sliceIndex]?.at(-1) ?? null) : null}
            />
          )}
          {state.result.output.kind === 'segmentation' && (
            <table style={{ fontSize: '.8rem', width: '100%' }}>
              <tbody>
                {state.model.manifest.parallax.labels.map((label) => (
                  <tr key={label.value}>
                    <td>
                      <span style={{ display: 'inline-block', width: '.7rem', height: '.7rem', background: `rgb(${label.color.join(',')})`, marginRight: '.3rem' }} />
                      {label.name}
                    </td>
                    <td style={{ textAlign: 'right' }}>
                      {voxelMl !== null ? `${((labelCounts[label.value] ?? 0) * voxelMl).toFixed(1)} mL` : `${labelCounts[label.value] ?? 0} voxels`}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <p className="muted" style={{ fontSize: '.75rem' }} data-testid="inference-provenance">
            {state.model.manifest.parallax.name} {state.model.manifest.version} · SHA-256 {state.model.manifest.parallax.file.sha256.slice(0, 12)}… · ran on{' '}
            {state.result.executionProvider === 'webgpu' ? 'WebGPU' : `WASM (CPU, ${state.result.wasmThreads} thread${state.result.wasmThreads === 1 ? '' : 's'})`} in{' '}
            {(state.durationMs / 1000).toFixed(1)} s{state.result.fallbackReason ? ` (WebGPU failed: ${state.result.fallbackReason})` : ''}
            {providerNote(state) ? ` (${providerNote(state)})` : ''}
            {state.result.warmup ? ` · ${describeWarmup(state.result.warmup)}` : ''}
          </p>
          {viewer && (
            <ExplainPanel
              viewer={viewer}
              model={state.model}
              imageIds={imageIds}
              sliceIndex={sliceIndex}
              provider={provider === 'auto' ? (state.choice?.chosen ?? provider) : provider}
              onShown={setExplanationShown}
            />
          )}
          {onPropose && reviewable(state.model) && (
            <div className="form-row" style={{ marginTop: '.4rem' }}>
              <button
                type="button"
                className="primary"
                data-testid="propose-findings"
                data-count={proposals.length}
                disabled={proposal?.status === 'sending' || proposal?.status === 'sent'}
                onClick={() => void propose(state)}
              >
                {proposals.length === 0 ? 'Record "no findings" for review' : `Send ${proposals.length} finding${proposals.length === 1 ? '' : 's'} to review`}
              </button>
              {proposal && (
                <span
                  className={proposal.status === 'failed' ? 'error' : 'muted'}
                  role={proposal.status === 'failed' ? 'alert' : undefined}
                  data-testid="proposal-status"
                  data-status={proposal.status}
                >
                  {proposal.message}
                </span>
              )}
            </div>
          )}
          <div className="form-row">
            {state.result.output.kind === 'segmentation' && (
              <label>
                <input type="checkbox" data-testid="labelmap-toggle" checked={overlayVisible} onChange={(event) => labelmaps.setVisible(event.target.checked)} /> Show labelmap
              </label>
            )}
            {labelmap && (
              <>
                <button type="button" data-testid="labelmap-undo" disabled={!labelmap.canUndo} title="Undo the last labelmap edit (Ctrl+Z)" onClick={() => labelmap.undo()}>
                  Undo
                </button>
                <button type="button" data-testid="labelmap-redo" disabled={!labelmap.canRedo} title="Redo (Ctrl+Shift+Z)" onClick={() => labelmap.redo()}>
                  Redo
                </button>
              </>
            )}
            <button type="button" data-testid="export-labels" onClick={() => exportLabels(state)}>
              Export labels
            </button>
          </div>
        </div>
      )}
    </section>
  )
}

/** Why the run ran where it did: the worker's note, or the stored measurement "auto" followed. */
function providerNote(done: Extract<PanelState, { status: 'done' }>): string {
  return done.result.providerNote ?? (done.choice ? describeMeasurement(done.choice) : '')
}

/** A model proposes findings when one of its labels names the finding a reader reviews. */
function reviewable(model: ModelSummary): boolean {
  return model.manifest.parallax.dimensionality === '2d' && model.manifest.parallax.labels.some((label) => label.finding)
}

function proposedFindings(done: Extract<PanelState, { status: 'done' }>, series: DicomSeries, labelmap: LabelmapDocument | null): ProposedFinding[] {
  const frame = seriesFrameOf(series)
  const label = done.model.manifest.parallax.labels.find((entry) => entry.finding)
  if (!frame || !label?.finding) return []
  const threshold = done.model.manifest.parallax.postprocessing.decisionThreshold ?? 0.5
  // A segmentation's findings come from the labelmap document, so they include the reader's edits.
  const output = done.result.output.kind === 'segmentation' && labelmap ? { ...done.result.output, labels: labelmap.labels } : done.result.output
  return findingsFromOutput(output, frame, { value: label.value, finding: label.finding }, threshold)
}
