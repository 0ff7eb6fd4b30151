'use client'
import { useEffect, useMemo, useRef, useState } from 'react'
import { LabelmapDocument, type Rgb, type Segment } from '../annotation/labelmap-document'
import type { DicomSeries } from '../dicom/types'
import type { SegmentEditor, SegmentGesture, VoxelPlane } from '../viewer/segment-gestures'
import type { ViewerLayout } from '../viewer/events'
import { effectiveTool, isSegmentationTool, toolsForLayout, type ToolId } from '../viewer/tool-registry'
import { Icon } from '../viewer/toolbar.client'
import type { Viewer } from '../viewer/viewer.client'
import { defaultSegmentCoding, segmentCategories, segmentCategory, segmentType } from '../vocabulary/segment-codes'
import {
  applyGesture,
  defaultEditOptions,
  fillBetweenSlices,
  keepLargestIsland,
  normalAxis,
  statisticsOf,
  valueLookup,
  voxelSpaceOf,
  type EditOptions,
  type SegmentFigures,
} from './editing'
import type { LabelmapStore } from './labelmap-store'
import { StatisticsTable } from './segment-statistics.client'
import { useStore } from './use-store.client'

// The segments of the selected series' labelmap document and the editing tools' options:
// which segment the tools write (the active one), each segment's name, colour, SNOMED CT
// category and type and visibility, the brush, threshold, scissors and region-grow settings,
// "Fill between slices", "Remove islands", statistics, undo and redo. It gives the viewer the
// editor the tools write through (editing.ts), so every edit is one document transaction.

export interface SegmentsPanelProps {
  viewer: Viewer | null
  series: DicomSeries | null
  imageIds: string[]
  labelmaps: LabelmapStore
  /** Who makes the segments added here. */
  userId: string
  /** The tool holding the primary button (the editing tools are chosen here, the others on the toolbar). */
  tool: ToolId
  layout: ViewerLayout
  onTool(tool: ToolId): void
}

const palette: Rgb[] = [
  [230, 80, 60],
  [60, 170, 230],
  [240, 200, 40],
  [120, 210, 90],
  [200, 100, 220],
  [250, 140, 40],
]

const toHex = (rgb: Rgb) => `#${rgb.map((c) => c.toString(16).padStart(2, '0')).join('')}`
const fromHex = (hex: string): Rgb => [1, 3, 5].map((at) => parseInt(hex.slice(at, at + 2), 16)) as Rgb

/** A user's new segment (on layer 0 where the document has layers). */
function newSegment(number: number, userId: string): Omit<Segment, 'layer'> {
  return { number, name: `Segment ${number}`, color: palette[(number - 1) % palette.length]!, ...defaultSegmentCoding, source: { kind: 'user', userId } }
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error))

export function SegmentsPanel({ viewer, series, imageIds, labelmaps, userId, tool, layout, onTool }: SegmentsPanelProps) {
  const { bySeries, hidden: hiddenBySeries, edited: editedBySeries, revision } = useStore(labelmaps)
  const uid = series?.seriesInstanceUid ?? ''
  const entry = bySeries.get(uid) ?? null
  const document = entry?.document ?? null
  const [active, setActive] = useState<number | null>(null)
  const [options, setOptions] = useState<EditOptions>(defaultEditOptions)
  const [error, setError] = useState<string | null>(null)
  const [overlapping, setOverlapping] = useState(false)
  const [hover, setHover] = useState<number | null>(null)
  const [hoverVoxel, setHoverVoxel] = useState<string>('')
  const [figures, setFigures] = useState<{ version: number; rows: SegmentFigures[] } | null>(null)
  const state = useRef({ active, options, plane: null as VoxelPlane | null })
  state.current.active = active
  state.current.options = options
  const hidden = hiddenBySeries.get(uid)
  const edited = editedBySeries.get(uid)

  // Modality values of the series, decoded once per document (threshold brush, region grow, hint, statistics).
  const pixels = useMemo(
    () => (viewer && entry ? { imageIds: entry.imageIds, slices: null as Float32Array[] | null, loading: null as Promise<Float32Array[]> | null } : null),
    [viewer, entry],
  )
  const loadPixels = async (): Promise<Float32Array[]> => {
    if (!pixels || !viewer) throw new Error('No series is shown.')
    pixels.loading ??= viewer.imagePixels(pixels.imageIds).then((slices) => (pixels.slices = slices))
    return pixels.loading
  }

  // The active segment stays one of the document's.
  useEffect(() => {
    if (!document) setActive(null)
    else if (active === null || !document.segment(active)) setActive(document.segments[0]?.number ?? null)
  }, [document, active, revision])

  useEffect(() => {
    viewer?.setHiddenSegments([...(hidden ?? [])])
  }, [viewer, hidden])

  // Ctrl+Z / Ctrl+Shift+Z undo and redo the shown document's edits, whoever made it (a model run or "New segmentation").
  useEffect(() => {
    if (!document) return
    const onKey = (event: KeyboardEvent) => {
      const target = event.target as HTMLElement | null
      if (target && ['INPUT', 'SELECT', 'TEXTAREA'].includes(target.tagName)) return
      if (!(event.ctrlKey || event.metaKey) || event.key.toLowerCase() !== 'z') return
      event.preventDefault()
      if (event.shiftKey) document.redo()
      else document.undo()
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [document])

  // The editor the tools write through, while a document is shown.
  useEffect(() => {
    if (!viewer || !document || !entry) return
    const grid = { columns: document.grid.columns, rows: document.grid.rows }
    const frameNow = () => viewer.voxelFrame(entry.imageIds, grid)
    const run = (write: () => number[], segment: number) => {
      try {
        setError(null)
        if (write().length > 0) labelmaps.markEdited(uid, [segment])
      } catch (failure) {
        setError(message(failure))
      }
    }
    const editor: SegmentEditor = {
      imageIds: entry.imageIds,
      grid,
      brushRadiusMm: () => state.current.options.brushRadiusMm,
      scissorsShape: () => state.current.options.scissorsShape,
      canEdit: () => state.current.active !== null && frameNow() !== null,
      apply: (gesture: SegmentGesture) => {
        const segment = state.current.active
        const frame = frameNow()
        if (segment === null || !frame) return
        state.current.plane = gesture.plane
        const space = voxelSpaceOf(frame)
        const needsValues = gesture.kind === 'grow' || (gesture.kind === 'stroke' && gesture.tool === 'ThresholdBrush')
        const write = (values: (index: number) => number) => () => applyGesture(document, space, gesture, { segment, options: state.current.options, values })
        if (!needsValues)
          return run(
            write(() => Number.NaN),
            segment,
          )
        loadPixels().then(
          (slices) => run(write(valueLookup(slices, document.sliceSize)), segment),
          (failure: unknown) => setError(message(failure)),
        )
      },
    }
    viewer.setSegmentEditor(editor)
    // Read for the hover value once the page is idle: read at once, all of a series' pixels
    // were converted on the main thread before a model's new labelmap could be drawn.
    const warm = () => void loadPixels().catch(() => undefined)
    const idle = typeof requestIdleCallback === 'function' ? requestIdleCallback(warm, { timeout: 2000 }) : null
    const timer = idle === null ? setTimeout(warm, 500) : null
    const offHover = viewer.on('segment-hover', ({ ijk }) => {
      const slices = pixels?.slices
      const [i, j, k] = ijk.map(Math.round) as [number, number, number]
      setHoverVoxel(ijk.join(','))
      setHover(slices?.[k] ? (slices[k][j * document.grid.columns + i] ?? null) : null)
    })
    return () => {
      offHover()
      if (idle !== null) cancelIdleCallback(idle)
      if (timer !== null) clearTimeout(timer)
      viewer.setSegmentEditor(null)
    }
  }, [viewer, document, entry, pixels, labelmaps, uid])

  if (!series || imageIds.length === 0) return null

  if (!document || !entry) {
    return (
      <section className="panel" data-testid="segments-panel" data-segments="0">
        <h2>Segments</h2>
        <button
          type="button"
          data-testid="segmentation-new"
          onClick={() => {
            const first = series.instances[0]!
            labelmaps.put({ document: new LabelmapDocument(uid, { columns: first.columns, rows: first.rows, slices: imageIds.length }, [newSegment(1, userId)]), imageIds })
          }}
        >
          New segmentation
        </button>
      </section>
    )
  }

  const segments = document.segments
  const frame = viewer?.voxelFrame(entry.imageIds, document.grid) ?? null
  const change = (number: number, patch: Partial<Segment>) => document.setSegments(segments.map((segment) => (segment.number === number ? { ...segment, ...patch } : segment)))
  const setOption = <K extends keyof EditOptions>(key: K, value: EditOptions[K]) => setOptions((current) => ({ ...current, [key]: value }))
  const range = (key: 'threshold' | 'grow', bound: 'low' | 'high', value: number) => setOptions((current) => ({ ...current, [key]: { ...current[key], [bound]: value } }))
  const segmentOp = (op: (space: ReturnType<typeof voxelSpaceOf>, segment: number) => number[]) => {
    if (active === null || !frame) return
    try {
      setError(null)
      if (op(voxelSpaceOf(frame), active).length > 0) labelmaps.markEdited(uid, [active])
    } catch (failure) {
      setError(message(failure))
    }
  }
  const computeStatistics = async () => {
    if (!frame) return
    try {
      const version = document.version
      const slices = await loadPixels()
      setFigures({ version, rows: statisticsOf(document, voxelSpaceOf(frame), valueLookup(slices, document.sliceSize)) })
    } catch (failure) {
      setError(message(failure))
    }
  }

  return (
    <section className="panel" data-testid="segments-panel" data-segments={segments.length} data-active-segment={active ?? ''}>
      <h2>Segments</h2>
      {!frame && <p className="muted">This series lacks the geometry the editing tools need.</p>}
      <div className="toolbar" role="toolbar" aria-label="Editing tools" data-testid="segment-tools">
        {toolsForLayout(layout)
          .filter(isSegmentationTool)
          .map((entry) => (
            <button
              key={entry.id}
              type="button"
              aria-pressed={effectiveTool(tool, layout).id === entry.id}
              aria-label={entry.label}
              title={entry.description}
              data-testid={`tool-${entry.id}`}
              onClick={() => onTool(entry.id)}
            >
              <Icon path={entry.icon} />
            </button>
          ))}
      </div>
      <ul className="segment-list">
        {segments.map((segment) => {
          const category = segment.category ? segmentCategory(segment.category.value) : null
          return (
            <li key={segment.number} data-testid={`segment-${segment.number}`} data-edited={edited?.has(segment.number) ? 'true' : 'false'}>
              <input
                type="radio"
                name="active-segment"
                aria-label={`Edit ${segment.name}`}
                data-testid={`segment-active-${segment.number}`}
                checked={active === segment.number}
                onChange={() => setActive(segment.number)}
              />
              <input
                type="color"
                aria-label="Colour"
                data-testid={`segment-color-${segment.number}`}
                value={toHex(segment.color)}
                onChange={(event) => change(segment.number, { color: fromHex(event.target.value) })}
              />
              <input
                aria-label="Name"
                data-testid={`segment-name-${segment.number}`}
                value={segment.name}
                onChange={(event) => change(segment.number, { name: event.target.value })}
              />
              <label title="Shown in the viewer">
                <input
                  type="checkbox"
                  data-testid={`segment-visible-${segment.number}`}
                  checked={!hidden?.has(segment.number)}
                  onChange={(event) => labelmaps.setSegmentHidden(uid, segment.number, !event.target.checked)}
                />
                Show
              </label>
              <select
                aria-label="Category (SNOMED CT)"
                data-testid={`segment-category-${segment.number}`}
                value={segment.category?.value ?? ''}
                onChange={(event) => {
                  const next = segmentCategory(event.target.value)
                  change(segment.number, { category: next, type: next?.types[0] ?? null })
                }}
              >
                <option value="">Category…</option>
                {segmentCategories.map((option) => (
                  <option key={option.value} value={option.value}>
                    {option.meaning}
                  </option>
                ))}
              </select>
              <select
                aria-label="Type (SNOMED CT)"
                data-testid={`segment-type-${segment.number}`}
                value={segment.type?.value ?? ''}
                disabled={!category}
                onChange={(event) => change(segment.number, { type: category ? segmentType(category, event.target.value) : null })}
              >
                <option value="">Type…</option>
                {category?.types.map((option) => (
                  <option key={option.value} value={option.value}>
                    {option.meaning} (SCT {option.value})
                  </option>
                ))}
              </select>
              {segment.source.kind === 'model' && <span className="muted">{edited?.has(segment.number) ? 'model, edited' : 'model'}</span>}
            </li>
          )
        })}
      </ul>
      <div className="segment-actions">
        <button
          type="button"
          data-testid="segment-add"
          disabled={segments.length >= 255}
          onClick={() => {
            const number = Math.max(0, ...segments.map((segment) => segment.number)) + 1
            // On a layer of its own a segment may overlap the others (a document without layers has layer 0 only).
            const added = { ...newSegment(number, userId), layer: overlapping ? ((document as { layerCount?: number }).layerCount ?? 0) : 0 }
            document.setSegments([...segments, added])
            setActive(number)
          }}
        >
          Add segment
        </button>
        <label title="The new segment may overlap the others (it gets a label layer of its own)">
          <input type="checkbox" data-testid="segment-add-overlapping" checked={overlapping} onChange={(event) => setOverlapping(event.target.checked)} />
          Overlapping
        </label>
        <button type="button" data-testid="segments-undo" disabled={!document.canUndo} title="Undo (Ctrl+Z)" onClick={() => document.undo()}>
          Undo
        </button>
        <button type="button" data-testid="segments-redo" disabled={!document.canRedo} title="Redo (Ctrl+Shift+Z)" onClick={() => document.redo()}>
          Redo
        </button>
      </div>
      <fieldset className="tool-options" data-testid="segment-tool-options">
        <legend>Tool options</legend>
        <label>
          Brush size (mm, radius)
          <input
            type="number"
            min={0.5}
            step={0.5}
            data-testid="brush-radius"
            value={options.brushRadiusMm}
            onChange={(event) => setOption('brushRadiusMm', Number(event.target.value))}
          />
        </label>
        <label>
          Brush shape
          <select data-testid="brush-shape" value={options.brushShape} onChange={(event) => setOption('brushShape', event.target.value as EditOptions['brushShape'])}>
            <option value="circle">Circle (on the plane)</option>
            <option value="sphere">Sphere</option>
          </select>
        </label>
        <RangeInputs label="Threshold range" testId="threshold" value={options.threshold} onChange={(bound, value) => range('threshold', bound, value)} />
        <p className="muted" data-testid="value-under-cursor" data-ijk={hoverVoxel}>
          Under the cursor: {hover === null ? '—' : Math.round(hover * 10) / 10}
        </p>
        <label>
          Scissors
          <select data-testid="scissors-shape" value={options.scissorsShape} onChange={(event) => setOption('scissorsShape', event.target.value as EditOptions['scissorsShape'])}>
            <option value="rectangle">Rectangle</option>
            <option value="circle">Circle</option>
            <option value="sphere">Sphere</option>
          </select>
          <select data-testid="scissors-mode" value={options.scissorsMode} onChange={(event) => setOption('scissorsMode', event.target.value as EditOptions['scissorsMode'])}>
            <option value="fill">Fill</option>
            <option value="erase">Erase</option>
          </select>
        </label>
        <RangeInputs label="Region grow range" testId="grow" value={options.grow} onChange={(bound, value) => range('grow', bound, value)} />
      </fieldset>
      <div className="segment-actions">
        <button
          type="button"
          data-testid="segment-interpolate"
          disabled={active === null || !frame}
          title="Fill the slices between the edited ones (along the plane last edited in)"
          onClick={() => segmentOp((space, segment) => fillBetweenSlices(document, space, segment, state.current.plane ? normalAxis(state.current.plane) : 2))}
        >
          Fill between slices
        </button>
        <button
          type="button"
          data-testid="segment-islands"
          disabled={active === null || !frame}
          title="Keep the segment's largest connected piece"
          onClick={() => segmentOp((space, segment) => keepLargestIsland(document, space, segment))}
        >
          Remove islands
        </button>
        <button type="button" data-testid="segment-statistics-compute" disabled={!frame} onClick={() => void computeStatistics()}>
          Statistics
        </button>
      </div>
      {error && (
        <p className="error" role="alert" data-testid="segments-error">
          {error}
        </p>
      )}
      {figures && <StatisticsTable figures={figures.rows} segments={segments} stale={figures.version !== document.version} />}
    </section>
  )
}

function RangeInputs({
  label,
  testId,
  value,
  onChange,
}: {
  label: string
  testId: string
  value: { low: number; high: number }
  onChange(bound: 'low' | 'high', value: number): void
}) {
  return (
    <label>
      {label}
      <input type="number" aria-label={`${label}, from`} data-testid={`${testId}-low`} value={value.low} onChange={(event) => onChange('low', Number(event.target.value))} />
      <input type="number" aria-label={`${label}, to`} data-testid={`${testId}-high`} value={value.high} onChange={(event) => onChange('high', Number(event.target.value))} />
    </label>
  )
}
