'use client'
import { useCallback, useEffect, useMemo, useRef, useState, type DragEvent } from 'react'
import type { DicomInstance, DicomRejection, DicomSeries, IngestResult } from '../dicom/types'
import { openLocalFiles, type LocalFileInput } from '../dicom/ingest.client'
import { reportStudyOpened } from '../audit/report.client'
import { commandForKey, hotkeyHelp, type ViewerCommand } from './hotkeys'
import { formatMeasurement } from './measurements'
import { presetToVoiRange, voiRangeToWindow, windowPresets } from './presets'
import { SeriesBrowser } from './series-browser.client'
import { useViewer } from './use-viewer.client'
import type { PixelChecksum } from './viewer.client'
import { defaultTool, type ToolId } from './tool-registry'
import { Toolbar } from './toolbar.client'
import { initialSliceIndex } from './initial-slice'
import { ViewportGrid, type ViewportRefs } from './viewport-grid.client'
import { filesFromDrop } from './drop.client'
import { fetchDemoFiles, listDemoStudies } from './demo-study.client'
import { mprEligibility } from './mpr-eligibility'
import { ModelPanel, type FindingProposal } from '../inference/model-panel.client'
import { ReviewPanel } from '../findings/review-panel.client'
import { openRead, proposeFindings } from '../findings/reads.client'
import type { StudyReference } from '../findings/types'

export interface LoadedStudySet {
  result: IngestResult
  imageIdsBySeries: Map<string, string[]>
  source: 'local' | 'dicomweb' | 'demo'
  /** The PACS id (dicomweb) or demo key (demo): where to get the study again. */
  sourceRef: string | null
}

/** Who reviews in this viewer, if anyone (admins do not). */
export interface Reviewer {
  userId: string
  role: 'radiologist' | 'researcher' | 'auditor'
}

function allSeries(result: IngestResult): { series: DicomSeries; first: DicomInstance }[] {
  return result.patients.flatMap((patient) =>
    patient.studies.flatMap((study) => study.series.filter((series) => series.instances.length > 0).map((series) => ({ series, first: series.instances[0]! }))),
  )
}

function seriesOfStudy(result: IngestResult, studyInstanceUid: string) {
  return allSeries(result).filter((candidate) => candidate.first.studyInstanceUid === studyInstanceUid)
}

export function ViewerApp({ initial, reviewer }: { initial?: Promise<LoadedStudySet>; reviewer: Reviewer | null }) {
  const refs: ViewportRefs = { main: useRef(null), axial: useRef(null), sagittal: useRef(null), coronal: useRef(null) }
  const { viewer, state } = useViewer(() =>
    refs.main.current && refs.axial.current && refs.sagittal.current && refs.coronal.current
      ? { main: refs.main.current, axial: refs.axial.current, sagittal: refs.sagittal.current, coronal: refs.coronal.current }
      : null,
  )
  const [studySet, setStudySet] = useState<LoadedStudySet | null>(null)
  const [rejected, setRejected] = useState<DicomRejection[]>([])
  const [selected, setSelected] = useState<string | null>(null)
  const [layout, setLayout] = useState<'stack' | 'mpr'>('stack')
  const [tool, setTool] = useState<ToolId>(defaultTool.id)
  const [busy, setBusy] = useState<string | null>(null)
  const [notice, setNotice] = useState<string | null>(null)
  const [dragging, setDragging] = useState(false)
  const [checksum, setChecksum] = useState<{ imageId: string; value: PixelChecksum | null } | null>(null)
  const openedStudies = useRef(new Set<string>())
  const [demos, setDemos] = useState<{ key: string; title: string; files: string[] }[]>([])
  useEffect(() => {
    listDemoStudies().then(setDemos, () => setDemos([]))
  }, [])
  const [ingestCount, setIngestCount] = useState(0)

  const seriesList = useMemo(() => (studySet ? allSeries(studySet.result) : []), [studySet])
  const current = seriesList.find((entry) => entry.series.seriesInstanceUid === selected) ?? null
  const mpr = current ? mprEligibility(current.series) : null

  const showSeries = useCallback(
    async (seriesUid: string, set: LoadedStudySet, mode: 'stack' | 'mpr' = 'stack') => {
      if (!viewer) return
      const imageIds = set.imageIdsBySeries.get(seriesUid)
      const entry = allSeries(set.result).find((candidate) => candidate.series.seriesInstanceUid === seriesUid)
      if (!imageIds || !entry) return
      setSelected(seriesUid)
      setLayout(mode)
      setNotice(null)
      if (imageIds.length === 0) {
        viewer.clear()
        setNotice(`This series holds no images (a ${entry.series.modality || 'non-image'} object); there is nothing to display.`)
        return
      }
      try {
        if (mode === 'mpr') await viewer.showMpr(imageIds)
        else await viewer.showStack(imageIds, initialSliceIndex(entry.series))
      } catch (error) {
        setNotice(`This series could not be displayed: ${(error as Error).message}`)
      }
      const study = entry.first.studyInstanceUid
      if (!openedStudies.current.has(study)) {
        openedStudies.current.add(study)
        const studySeries = seriesOfStudy(set.result, study)
        void reportStudyOpened({
          source: set.source === 'dicomweb' ? 'dicomweb' : 'local',
          studyInstanceUid: study,
          seriesInstanceUids: studySeries.map((candidate) => candidate.series.seriesInstanceUid),
          instanceCount: studySeries.reduce((sum, candidate) => sum + candidate.series.instances.length, 0),
        })
      }
    },
    [viewer],
  )

  const adopt = useCallback(
    (set: LoadedStudySet) => {
      setIngestCount((count) => count + 1)
      setStudySet(set)
      setRejected(set.result.rejected)
      const first = allSeries(set.result)[0]
      if (first) void showSeries(first.series.seriesInstanceUid, set)
      else setNotice(set.result.rejected.length ? 'None of the files could be loaded; see the reasons on the left.' : 'No DICOM images found.')
    },
    [showSeries],
  )

  useEffect(() => {
    if (!initial || !viewer) return
    setBusy('Retrieving the study…')
    initial.then(adopt, (error: Error) => setNotice(error.message)).finally(() => setBusy(null))
  }, [initial, viewer, adopt])

  async function openDemo(demo: { key: string; title: string; files: string[] }) {
    setBusy(`Fetching ${demo.title}…`)
    try {
      await open(await fetchDemoFiles(demo), { source: 'demo', sourceRef: demo.key })
    } catch (error) {
      setNotice(`The demo study could not be fetched: ${(error as Error).message}`)
      setBusy(null)
    }
  }

  async function open(inputs: LocalFileInput[], origin: Pick<LoadedStudySet, 'source' | 'sourceRef'> = { source: 'local', sourceRef: null }) {
    if (inputs.length === 0) return
    performance.mark('parallax:files-selected', { detail: { files: inputs.length } })
    setBusy(`Reading ${inputs.length} file${inputs.length === 1 ? '' : 's'}…`)
    try {
      adopt({ ...(await openLocalFiles(inputs, (read, total) => setBusy(`Reading files… ${read} / ${total}`))), ...origin })
    } catch (error) {
      setNotice(`The files could not be read: ${(error as Error).message}`)
    } finally {
      setBusy(null)
    }
  }

  const run = useCallback(
    (command: ViewerCommand) => {
      if (!viewer) return
      switch (command.type) {
        case 'zoom-in':
          return viewer.zoomBy(1.25)
        case 'zoom-out':
          return viewer.zoomBy(0.8)
        case 'zoom-fit':
        case 'reset':
          return viewer.reset()
        case 'rotate-right':
          return viewer.rotate(90)
        case 'rotate-left':
          return viewer.rotate(-90)
        case 'flip-horizontal':
          return viewer.flip('horizontal')
        case 'flip-vertical':
          return viewer.flip('vertical')
        case 'invert':
          return viewer.invert()
        case 'cine':
          return viewer.toggleCine()
        case 'next-image':
          return viewer.scrollBy(1)
        case 'previous-image':
          return viewer.scrollBy(-1)
        case 'first-image':
          return viewer.scrollTo(0)
        case 'last-image':
          return viewer.scrollTo((state.image?.total ?? 1) - 1)
        case 'preset': {
          const preset = windowPresets.find((candidate) => candidate.id === command.presetId)
          if (preset) viewer.setVoiRange(presetToVoiRange(preset))
          return
        }
        case 'tool':
          return chooseTool(command.toolId)
      }
    },
    [viewer, state.image?.total],
  )

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const target = event.target as HTMLElement | null
      if (target && ['INPUT', 'SELECT', 'TEXTAREA'].includes(target.tagName)) return
      const command = commandForKey(event.key, { ctrl: event.ctrlKey, meta: event.metaKey, alt: event.altKey })
      if (command && viewer) {
        event.preventDefault()
        run(command)
      }
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [run, viewer])

  function chooseTool(next: ToolId) {
    setTool(next)
    viewer?.setPrimaryTool(next)
  }

  async function onDrop(event: DragEvent<HTMLDivElement>) {
    event.preventDefault()
    setDragging(false)
    await open(await filesFromDrop(event.dataTransfer))
  }

  const first = current?.first
  const currentImageIds = (current && studySet?.imageIdsBySeries.get(current.series.seriesInstanceUid)) || []
  const sliceIndex = layout === 'stack' && state.image ? state.image.index : null
  const [reviewRefresh, setReviewRefresh] = useState(0)
  const study: StudyReference | null =
    first && studySet
      ? {
          studyInstanceUid: first.studyInstanceUid,
          studyDescription: first.studyDescription.slice(0, 200),
          studyDate: first.studyDate,
          accessionNumber: first.accessionNumber,
          modality: first.modality,
          source: studySet.source,
          sourceRef: studySet.sourceRef,
        }
      : null
  async function onPropose(proposal: FindingProposal) {
    if (!study) return
    const read = await openRead(study)
    await proposeFindings(read.id, proposal)
    setReviewRefresh((count) => count + 1)
  }
  const window_ = state.voi ? voiRangeToWindow(state.voi) : null
  const overlay = {
    topLeft: first ? [first.patientName || 'Anonymous', first.patientId, first.patientSex && first.patientBirthDate ? `${first.patientSex} · ${first.patientBirthDate}` : ''] : [],
    topRight: first ? [first.studyDescription, first.studyDate, `${first.modality} · ${current?.series.seriesDescription ?? ''}`] : [],
    bottomLeft: state.image ? [`Im ${state.image.index + 1} / ${state.image.total}`, `Zoom ${state.zoom.toFixed(2)}`] : [],
    bottomRight: window_ ? [`W ${Math.round(window_.width)} L ${Math.round(window_.center)}`] : [],
  }
  const position = state.image?.imagePosition
  const mainAttributes: Record<string, string | number> = {
    'data-series-uid': selected ?? '',
    'data-slice-index': state.image && layout === 'stack' ? state.image.index : -1,
    'data-loaded-slices': state.progress?.loaded ?? 0,
    'data-failed-slices': state.progress?.failed ?? 0,
    'data-total-slices': state.progress?.total ?? 0,
    'data-image-position': position ? position.join('\\') : '',
    'data-window': window_ ? `${Math.round(window_.width)}/${Math.round(window_.center)}` : '',
  }
  const progress = state.progress

  return (
    <div className="viewer" data-testid="viewer" data-ready={viewer ? 'true' : 'false'} data-ingest-count={ingestCount}>
      <aside className="viewer-panel">
        <div
          className={`dropzone${dragging ? ' active' : ''}`}
          data-testid="dicom-dropzone"
          onDragOver={(event) => {
            event.preventDefault()
            setDragging(true)
          }}
          onDragLeave={() => setDragging(false)}
          onDrop={onDrop}
        >
          Drop DICOM files, a folder or a .zip here
          <div className="form-row" style={{ justifyContent: 'center', marginTop: '.5rem' }}>
            <label className="button-like">
              Files…
              <input
                type="file"
                multiple
                hidden
                data-testid="dicom-file-input"
                onChange={(event) => {
                  const files = Array.from(event.target.files ?? [])
                  event.target.value = ''
                  void open(files.map((file) => ({ name: file.webkitRelativePath || file.name, file })))
                }}
              />
            </label>
            <label className="button-like">
              Folder…
              <input
                type="file"
                hidden
                data-testid="dicom-folder-input"
                {...({ webkitdirectory: '' } as Record<string, string>)}
                onChange={(event) => {
                  const files = Array.from(event.target.files ?? [])
                  event.target.value = ''
                  void open(files.map((file) => ({ name: file.webkitRelativePath || file.name, file })))
                }}
              />
            </label>
          </div>
          <div className="muted" style={{ marginTop: '.4rem', fontSize: '.75rem' }}>Files are read in this browser; nothing is uploaded.</div>
        </div>
        {demos.length > 0 && (
          <div data-testid="demo-studies" style={{ fontSize: '.8rem' }}>
            <span className="muted">Demo (synthetic): </span>
            {demos.map((demo) => (
              <button key={demo.key} type="button" className="link-like" data-testid="demo-study" data-key={demo.key} onClick={() => void openDemo(demo)}>
                {demo.title}
              </button>
            ))}
          </div>
        )}
        {busy && <div className="muted" data-testid="viewer-busy">{busy}</div>}
        {studySet && <SeriesBrowser result={studySet.result} imageIdsBySeries={studySet.imageIdsBySeries} selected={selected} onSelect={(uid) => void showSeries(uid, studySet)} />}
        {rejected.length > 0 && (
          <section className="rejected" data-testid="rejected-files">
            <h2 style={{ margin: '.5rem 0' }}>Not loaded ({rejected.length})</h2>
            <ul style={{ paddingLeft: '1rem', margin: 0 }}>
              {rejected.map((item) => (
                <li key={item.source} data-testid="rejected-file" data-source={item.source}>
                  <strong>{item.source}</strong>: <span className="muted">{item.reason}</span>
                </li>
              ))}
            </ul>
          </section>
        )}
      </aside>
      <section className="viewer-center">
        <Toolbar
          tool={tool}
          onTool={chooseTool}
          run={run}
          layout={layout}
          onLayout={(mode) => studySet && current && void showSeries(current.series.seriesInstanceUid, studySet, mode)}
          hasSeries={!!current}
          mpr={mpr}
          cinePlaying={state.cinePlaying}
        />
        {progress && progress.total > 0 && (
          <div className="progress" data-testid="load-progress" title={`${progress.loaded} of ${progress.total} images loaded`}>
            <div style={{ width: `${(100 * progress.loaded) / progress.total}%` }} />
          </div>
        )}
        {(notice || state.error) && (
          <div className="error" role="alert" data-testid="viewer-error">
            {notice ?? state.error}
          </div>
        )}
        <ViewportGrid refs={refs} layout={layout} labels={state.labels} mainAttributes={mainAttributes} overlay={overlay} />
      </section>
      <aside className="viewer-panel">
        {reviewer && study && current && studySet && (
          <ReviewPanel
            key={study.studyInstanceUid}
            refreshKey={reviewRefresh}
            context={{
              study,
              series: current.series,
              studySeries: seriesOfStudy(studySet.result, study.studyInstanceUid).map((entry) => entry.series),
              imageIds: currentImageIds,
              sliceIndex,
              measurements: state.measurements,
              goToSlice: (index) => {
                if (layout === 'stack') viewer?.scrollTo(index)
              },
              role: reviewer.role,
              userId: reviewer.userId,
            }}
          />
        )}
        <ModelPanel
          viewer={viewer}
          series={current?.series ?? null}
          imageIds={currentImageIds}
          sliceIndex={sliceIndex}
          onPropose={reviewer && reviewer.role !== 'auditor' ? onPropose : undefined}
        />
        <h2 style={{ margin: 0 }}>Measurements</h2>
        <div data-testid="measurements">
          {state.measurements.length === 0 && <p className="muted">Choose Length, Angle, Ellipse or Rectangle and draw on the image.</p>}
          {state.measurements.map((measurement) => (
            <div
              key={measurement.uid}
              className="measurement"
              data-testid="measurement"
              data-kind={measurement.kind}
              data-value={measurement.value ?? ''}
              data-pixel-points={JSON.stringify(measurement.pixelPoints)}
              data-mean={measurement.stats?.mean ?? ''}
            >
              <strong>{measurement.kind}</strong> {formatMeasurement(measurement)}
            </div>
          ))}
        </div>
        {state.measurements.length > 0 && (
          <button type="button" onClick={() => viewer?.clearMeasurements()} data-testid="clear-measurements">
            Clear measurements
          </button>
        )}
        {current && current.series.geometry.warnings.length > 0 && (
          <section data-testid="geometry-warnings">
            <h2>Geometry</h2>
            {layout === 'mpr' && <p className="warn" style={{ fontSize: '.8rem' }}>MPR assumes even slice spacing: distances across these irregularities are approximate.</p>}
            <ul style={{ paddingLeft: '1rem', fontSize: '.8rem' }}>
              {current.series.geometry.warnings.map((warning, index) => (
                <li key={index} className="warn">{warning.message}</li>
              ))}
            </ul>
          </section>
        )}
        {first && state.image && (
          <section data-testid="image-details" style={{ fontSize: '.8rem' }}>
            <h2>Image</h2>
            <div className="muted">
              {first.columns}×{first.rows}
              {first.pixelSpacing ? ` · ${first.pixelSpacing[1].toFixed(3)}×${first.pixelSpacing[0].toFixed(3)} mm` : ' · no pixel spacing'}
            </div>
            <div className="muted" data-testid="transfer-syntax">{first.transferSyntaxUid}</div>
            <button
              type="button"
              data-testid="compute-checksum"
              onClick={async () => {
                const imageId = state.image?.imageId ?? ''
                setChecksum({ imageId, value: (await viewer?.pixelChecksum()) ?? null })
              }}
            >
              Decoded pixel checksum
            </button>
            {checksum && checksum.imageId === state.image.imageId && (
              checksum.value ? (
                <div style={{ marginTop: '.3rem' }}>
                  <code data-testid="pixel-sha256" style={{ wordBreak: 'break-all', display: 'block' }}>
                    {checksum.value.sha256}
                  </code>
                  <div className="muted" data-testid="pixel-layout">
                    {checksum.value.arrayType} · {checksum.value.length} values · {checksum.value.min}…{checksum.value.max}
                  </div>
                </div>
              ) : (
                <div className="muted">The image is not decoded yet.</div>
              )
            )}
          </section>
        )}
        <details>
          <summary className="muted">Keyboard shortcuts</summary>
          <table style={{ fontSize: '.8rem' }}>
            <tbody>
              {hotkeyHelp.map((entry) => (
                <tr key={entry.keys}>
                  <td><code>{entry.keys}</code></td>
                  <td>{entry.action}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      </aside>
    </div>
  )
}
