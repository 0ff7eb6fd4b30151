'use client'
import { useEffect, useRef, useState } from 'react'
import { LabelmapDocument, type SegmentInit } from '../annotation/labelmap-document'
import type { DicomSeries } from '../dicom/types'
import { refine } from '../inference/inference.client'
import type { SliceClick } from '../inference/interactive'
import type { ModelSummary } from '../inference/model-summary'
import type { ViewerEventMap } from '../viewer/events'
import type { Viewer } from '../viewer/viewer.client'
import type { LabelmapStore } from './labelmap-store'
import { useStore } from './use-store.client'

// The interactive model's panel: each `segment-click` of the viewer's Click tool adds a
// positive or negative click on its slice, the interactive model (in the page's inference
// worker, its session kept between clicks) answers with the slice's mask, and the mask
// becomes the chosen segment on that slice in one undoable transaction. Clicks are kept
// per slice until the series, the document or the segment changes, or they are cleared.

interface InteractivePanelProps {
  viewer: Viewer | null
  series: DicomSeries | null
  /** The series' images, one per labelmap slice. */
  imageIds: string[]
  labelmaps: LabelmapStore
}

type Status = { kind: 'idle' } | { kind: 'running' } | { kind: 'done'; durationMs: number; provider: string; pixels: number } | { kind: 'failed'; message: string }

export function InteractivePanel({ viewer, series, imageIds, labelmaps }: InteractivePanelProps) {
  const [models, setModels] = useState<ModelSummary[]>([])
  const [segmentNumber, setSegmentNumber] = useState<number | null>(null)
  const [status, setStatus] = useState<Status>({ kind: 'idle' })
  const [clickCount, setClickCount] = useState(0)
  const clicks = useRef(new Map<number, SliceClick[]>())
  /** The document the clicks were made on: another one (a new model run, a SEG loaded) starts afresh. */
  const clickDocument = useRef<LabelmapDocument | null>(null)
  // Clicks are answered one after the other, each with every click on its slice so far.
  const queue = useRef<Promise<void>>(Promise.resolve())
  useStore(labelmaps)
  const document = labelmaps.entryFor(series?.seriesInstanceUid)?.document ?? null

  useEffect(() => {
    fetch('/api/models')
      .then(async (response) =>
        response.ok
          ? setModels((await response.json()) as ModelSummary[])
          : setStatus({ kind: 'failed', message: `The model list could not be loaded (HTTP ${response.status}).` }),
      )
      .catch((error: Error) => setStatus({ kind: 'failed', message: `The model list could not be loaded: ${error.message}` }))
  }, [])

  const model =
    models.find((entry) => entry.manifest.parallax.kind === 'interactive' && entry.fileUrl && series && entry.manifest.parallax.modalities.includes(series.modality)) ?? null
  const segment = document?.segments.find((entry) => entry.number === segmentNumber) ?? document?.segments[0] ?? null

  useEffect(() => {
    clicks.current.clear()
    setClickCount(0)
  }, [series?.seriesInstanceUid, segment?.number])

  useEffect(() => {
    if (!viewer || !series || !model) return
    const first = series.instances[0]
    if (!first) return
    const onClick = ({ ijk, positive }: ViewerEventMap['segment-click']) => {
      const slice = Math.round(ijk[2])
      const imageId = imageIds[slice]
      if (!imageId) return
      const target = documentFor(labelmaps, series, imageIds, model, first)
      if (clickDocument.current !== target) {
        clicks.current.clear()
        clickDocument.current = target
      }
      const sliceClicks = [...(clicks.current.get(slice) ?? []), { column: ijk[0], row: ijk[1], positive }]
      clicks.current.set(slice, sliceClicks)
      setClickCount(sliceClicks.length)
      queue.current = queue.current.then(async () => {
        setStatus({ kind: 'running' })
        try {
          const number = target.segments.find((entry) => entry.number === segment?.number)?.number ?? target.segments[0]!.number
          const [pixels] = await viewer.imagePixels([imageId])
          const layer = target.segment(number)!.layer
          const labels = target.slice(slice, layer)
          const result = await refine({
            model,
            slicePixels: pixels!,
            columns: target.grid.columns,
            rows: target.grid.rows,
            clicks: sliceClicks,
            previous: Uint8Array.from(labels, (value) => (value === number ? 1 : 0)),
          }).result
          const base = slice * target.sliceSize
          target.transact('Interactive model', (edit) => {
            for (let i = 0; i < result.mask.length; i++) {
              if (result.mask[i]) edit.paint(base + i, number)
              else if (labels[i] === number) edit.erase(base + i, number)
            }
          })
          // Guided by a person's clicks: a model's segment so changed is SEMIAUTOMATIC in a SEG.
          labelmaps.markEdited(series.seriesInstanceUid, [number])
          setStatus({ kind: 'done', durationMs: result.durationMs, provider: result.executionProvider, pixels: result.foregroundPixels })
        } catch (error) {
          setStatus({ kind: 'failed', message: error instanceof Error ? error.message : String(error) })
        }
      })
    }
    return viewer.on('segment-click', onClick)
  }, [viewer, series, imageIds, model, labelmaps, segment?.number])

  if (!series) return null
  return (
    <section data-testid="interactive-panel" data-model-id={model?.manifest.parallax.id ?? ''} aria-label="Interactive model">
      <h3>Interactive model</h3>
      {model ? (
        <p>
          {model.manifest.parallax.name}: click with the Click tool to add to the segment, Shift+click to remove. {model.manifest.intended_use}
        </p>
      ) : (
        <p>No interactive model for {series.modality} is registered.</p>
      )}
      {document && document.segments.length > 1 && (
        <label>
          Segment{' '}
          <select data-testid="interactive-segment" value={segment?.number ?? ''} onChange={(event) => setSegmentNumber(Number(event.target.value))}>
            {document.segments.map((entry) => (
              <option key={entry.number} value={entry.number}>
                {entry.name}
              </option>
            ))}
          </select>
        </label>
      )}
      <p data-testid="interactive-status" data-status={status.kind} data-clicks={clickCount} data-duration-ms={status.kind === 'done' ? Math.round(status.durationMs) : ''}>
        {status.kind === 'running' && 'Refining…'}
        {status.kind === 'done' &&
          `${clickCount} click${clickCount === 1 ? '' : 's'} on this slice: ${status.pixels} pixels, ${Math.round(status.durationMs)} ms on ${status.provider.toUpperCase()}`}
        {status.kind === 'failed' && status.message}
      </p>
      <button
        type="button"
        data-testid="interactive-clear"
        disabled={clickCount === 0}
        onClick={() => {
          clicks.current.clear()
          setClickCount(0)
        }}
      >
        Clear clicks
      </button>
    </section>
  )
}

/** The series' document, made (with one segment recording the model) when the series has none yet. */
function documentFor(labelmaps: LabelmapStore, series: DicomSeries, imageIds: string[], model: ModelSummary, first: DicomSeries['instances'][number]): LabelmapDocument {
  const existing = labelmaps.entryFor(series.seriesInstanceUid)
  if (existing && existing.document.segments.length > 0) return existing.document
  const { manifest } = model
  const label = manifest.parallax.labels[0]!
  const segment: SegmentInit = {
    number: label.value,
    name: label.name,
    color: label.color,
    category: null,
    type: null,
    source: { kind: 'model', id: manifest.parallax.id, version: manifest.version, sha256: manifest.parallax.file.sha256 },
  }
  const document = new LabelmapDocument(series.seriesInstanceUid, { columns: first.columns, rows: first.rows, slices: imageIds.length }, [segment])
  labelmaps.put({ document, imageIds })
  return document
}
