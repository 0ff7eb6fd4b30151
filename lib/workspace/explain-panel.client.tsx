'use client'
import { useEffect, useRef, useState } from 'react'
import type { Viewer } from '../viewer/viewer.client'
import { InferenceRunError, startExplanation, type ExplainResult } from '../inference/inference.client'
import type { ProviderPreference } from '../inference/inference-protocol'
import type { ModelSummary } from '../inference/model-summary'
import { colormapGradient, colormapNames, type ColormapName } from '../explain/colormap'
import { methodLabels, methodsFor, type ExplainMethod } from '../inference/explain-slice'
import { heatmapPeak } from '../explain/heatmap'
import { explainMark } from './run-marks'

// Why the model said what it said, on the slice in view: a heatmap by the method the reader
// picks (CAM, EigenCAM, occlusion, RISE; probability and uncertainty for segmentations),
// computed in the browser, overlaid with a colour map, colour bar and opacity.

type ExplainState =
  | { status: 'idle' }
  | { status: 'running'; done: number; total: number }
  | { status: 'done'; result: ExplainResult; imageIndex: number; peak: { column: number; row: number } }
  | { status: 'failed'; message: string }

interface ExplainPanelProps {
  viewer: Viewer
  model: ModelSummary
  imageIds: string[]
  sliceIndex: number | null
  provider: ProviderPreference
  /** The method whose heatmap the reader is looking at (null when none is shown), recorded with proposed findings. */
  onShown?: (method: ExplainMethod | null) => void
}

export function ExplainPanel({ viewer, model, imageIds, sliceIndex, provider, onShown }: ExplainPanelProps) {
  const methods = methodsFor(model.manifest)
  const [method, setMethod] = useState<ExplainMethod>(methods[0]!)
  const [colormap, setColormap] = useState<ColormapName>('inferno')
  const [opacity, setOpacity] = useState(0.6)
  const [visible, setVisible] = useState(true)
  const [state, setState] = useState<ExplainState>({ status: 'idle' })
  const running = useRef<{ cancel(): void } | null>(null)

  useEffect(() => () => running.current?.cancel(), [])
  useEffect(() => {
    if (state.status !== 'done') return
    viewer.showHeatmap({ imageId: imageIds[state.imageIndex]!, values: state.result.heatmap, columns: state.result.columns, rows: state.result.rows, opacity, colormap })
  }, [viewer, state, opacity, colormap, imageIds])
  useEffect(() => viewer.setHeatmapVisible(visible), [viewer, visible])
  useEffect(() => onShown?.(state.status === 'done' && visible ? state.result.method : null), [onShown, state, visible])
  useEffect(() => () => viewer.showHeatmap(null), [viewer])

  async function explain() {
    if (sliceIndex === null || !model.fileUrl) return
    const imageIndex = sliceIndex
    performance.mark(explainMark.click)
    setState({ status: 'running', done: 0, total: 0 })
    try {
      const [pixels] = await viewer.imagePixels([imageIds[imageIndex]!])
      const image = viewer.imageSize(imageIds[imageIndex]!)
      const run = startExplanation(
        { manifest: model.manifest, fileUrl: model.fileUrl, provider, image: { pixels: pixels!, columns: image.columns, rows: image.rows }, method },
        (done, total) => setState({ status: 'running', done, total }),
      )
      running.current = run
      const result = await run.result
      running.current = null
      const peak = heatmapPeak({ values: result.heatmap, columns: result.columns, rows: result.rows })
      setVisible(true)
      setState({ status: 'done', result, imageIndex, peak })
    } catch (error) {
      running.current = null
      if (error instanceof InferenceRunError && error.kind === 'cancelled') setState({ status: 'idle' })
      else setState({ status: 'failed', message: (error as Error).message })
    }
  }

  return (
    <section data-testid="explain-panel" style={{ marginTop: '.6rem' }}>
      <h3 style={{ margin: '0 0 .3rem', fontSize: '.9rem' }}>Why? Explain this slice</h3>
      <div className="form-row">
        <select
          aria-label="Explanation method"
          data-testid="explain-method"
          value={method}
          onChange={(event) => setMethod(event.target.value as ExplainMethod)}
          disabled={state.status === 'running'}
        >
          {methods.map((entry) => (
            <option key={entry} value={entry}>
              {methodLabels[entry]}
            </option>
          ))}
        </select>
        <button
          type="button"
          data-testid="explain-run"
          disabled={sliceIndex === null || state.status === 'running'}
          onClick={() => void explain()}
          title={sliceIndex === null ? 'Switch to the stack layout' : undefined}
        >
          Explain
        </button>
        {state.status === 'running' && (
          <button type="button" data-testid="explain-cancel" onClick={() => running.current?.cancel()}>
            Cancel
          </button>
        )}
      </div>
      {state.status === 'running' && (
        <div data-testid="explain-progress">
          <div className="muted" style={{ fontSize: '.8rem' }}>
            {state.total ? `Forward passes ${state.done} / ${state.total}` : 'Computing…'}
          </div>
          <div className="progress">
            <div style={{ width: `${state.total ? (100 * state.done) / state.total : 0}%` }} />
          </div>
        </div>
      )}
      {state.status === 'failed' && (
        <p className="error" role="alert" data-testid="explain-error">
          {state.message}
        </p>
      )}
      {state.status === 'done' && (
        <div
          data-testid="explain-result"
          data-method={state.result.method}
          data-image-index={state.imageIndex}
          data-peak-column={state.peak.column}
          data-peak-row={state.peak.row}
          data-execution-provider={state.result.executionProvider}
          data-session-reused={String(state.result.sessionReused)}
          data-duration-ms={Math.round(state.result.durationMs)}
        >
          <div className="muted" style={{ fontSize: '.75rem' }}>
            {methodLabels[state.result.method]} on image {state.imageIndex + 1} · {(state.result.durationMs / 1000).toFixed(1)} s on{' '}
            {state.result.executionProvider === 'webgpu' ? 'WebGPU' : 'WASM'}
            {state.imageIndex !== sliceIndex ? ' · scroll back to that image to see it' : ''}
          </div>
          <div data-testid="heatmap-colorbar" style={{ height: '.6rem', margin: '.3rem 0 .1rem', background: colormapGradient(colormap), borderRadius: 2 }} />
          <div className="muted" style={{ display: 'flex', justifyContent: 'space-between', fontSize: '.7rem' }}>
            <span>low</span>
            <span>relevance</span>
            <span>high</span>
          </div>
          <div className="form-row" style={{ fontSize: '.8rem' }}>
            <label>
              <input type="checkbox" data-testid="heatmap-toggle" checked={visible} onChange={(event) => setVisible(event.target.checked)} /> Heatmap
            </label>
            <label>
              Opacity <input type="range" min={0} max={1} step={0.05} value={opacity} data-testid="heatmap-opacity" onChange={(event) => setOpacity(Number(event.target.value))} />
            </label>
            <select aria-label="Colour map" data-testid="heatmap-colormap" value={colormap} onChange={(event) => setColormap(event.target.value as ColormapName)}>
              {colormapNames.map((name) => (
                <option key={name} value={name}>
                  {name}
                </option>
              ))}
            </select>
          </div>
        </div>
      )}
    </section>
  )
}
