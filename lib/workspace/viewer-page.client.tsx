'use client'
import { useCallback, useEffect, useMemo, useRef, useState } from 'react'
import { reportStudyOpened } from '../audit/report.client'
import { openLocalFiles, prepareIngestion, type LocalFileInput } from '../dicom/ingest.client'
import { seriesOfStudy, type StudyOrigin, type StudySet } from '../dicom/study-set'
import { ReviewPanel } from '../findings/review-panel.client'
import type { FindingProposal } from '../findings/schema'
import type { StudyReference } from '../findings/types'
import { commandForKey, type ViewerCommand } from '../viewer/hotkeys'
import { initialSliceIndex } from '../viewer/initial-slice'
import { mprEligibility } from '../viewer/mpr-eligibility'
import { presetToVoiRange, voiRangeToWindow, windowPresets } from '../viewer/presets'
import { useViewer } from '../viewer/use-viewer.client'
import type { Viewer } from '../viewer/viewer.client'
import { defaultTool, type ToolId } from '../viewer/tool-registry'
import { Toolbar } from '../viewer/toolbar.client'
import { ViewportGrid, type ViewportRefs } from '../viewer/viewport-grid.client'
import { fetchDemoFiles, type DemoStudyEntry } from './demo-study.client'
import { DetailsPanel } from './details-panel.client'
import { LabelmapStore } from './labelmap-store'
import { ModelPanel } from './model-panel.client'
import { QualityPanel } from './quality-panel.client'
import { QualityStore } from './quality-store'
import { ReadSession } from '../findings/read-session.client'
import { SegmentsPanel } from './segments-panel.client'
import { SegPanel } from './seg-panel.client'
import { InteractivePanel } from './interactive-panel.client'
import { ProjectTaskPanel } from './project-task.client'
import { StudyPanel } from './study-panel.client'
import { startOpeningImage } from './opening-image.client'
import { StudySetStore } from './study-set-store'
import { useStore } from './use-store.client'

// The viewer page: it owns the workspace's stores (the studies held, the labelmap
// documents), creates the viewer, and keeps the viewer showing what the stores say — so a
// study adopted before the viewer has started is shown as soon as it has.

/** Who reviews in this viewer, if anyone (admins do not). */
export interface Reviewer {
  userId: string
  role: 'radiologist' | 'researcher' | 'auditor'
}

/** Stores that live as long as the page (created once, destroyed on unmount). */
function useWorkspaceStores() {
  const [stores] = useState(() => ({ studies: new StudySetStore(), labelmaps: new LabelmapStore(), quality: new QualityStore() }))
  useEffect(() => {
    window.parallaxWorkspace = stores
    return () => {
      if (window.parallaxWorkspace === stores) delete window.parallaxWorkspace
      stores.studies.destroy()
      stores.labelmaps.destroy()
      stores.quality.destroy()
    }
  }, [stores])
  return stores
}

declare global {
  interface Window {
    /** Automation hook (like the data-testids): the page's stores, for scripts and end-to-end tests. */
    parallaxWorkspace?: { studies: StudySetStore; labelmaps: LabelmapStore; quality: QualityStore }
  }
}

/** An annotation project's task the page was opened for. */
export interface ProjectTask {
  projectId: string
  taskId: string
}

export function ViewerPage({ initial, reviewer, projectTask = null }: { initial?: Promise<StudySet>; reviewer: Reviewer | null; projectTask?: ProjectTask | null }) {
  const refs: ViewportRefs = { main: useRef(null), axial: useRef(null), sagittal: useRef(null), coronal: useRef(null) }
  const { viewer, state } = useViewer(() =>
    refs.main.current && refs.axial.current && refs.sagittal.current && refs.coronal.current
      ? { main: refs.main.current, axial: refs.axial.current, sagittal: refs.sagittal.current, coronal: refs.coronal.current }
      : null,
  )
  const { studies, labelmaps, quality } = useWorkspaceStores()
  const { set, selected: current, layout, ingestCount } = useStore(studies)
  const { visible: labelmapVisible } = useStore(labelmaps)
  const [tool, setTool] = useState<ToolId>(defaultTool.id)
  const [busy, setBusy] = useState<string | null>(null)
  const [notice, setNotice] = useState<string | null>(null)
  const openedStudies = useRef(new Set<string>())
  // The image the main viewport shows, and the one a revision of the drop must show again
  // (a late-refused file leaving the series must not send the reader back to the opening slice).
  const shownImage = useRef<string | null>(null)
  const keepImage = useRef<string | null>(null)
  /** What the viewer was last asked to show (layout and image ids). */
  const shownStack = useRef<{ viewer: Viewer; stack: string } | null>(null)
  useEffect(
    () =>
      viewer?.on('image-changed', ({ viewportId, imageId }) => {
        if (viewportId === 'main') shownImage.current = imageId
      }),
    [viewer],
  )

  const adopt = useCallback(
    async (next: StudySet) => {
      await startOpeningImage(next)
      const explain = (held: StudySet) => {
        if (studies.snapshot.selected) setNotice(null)
        else if (held.segmentations.length) setNotice('Only segmentations (DICOM SEG) were opened: open them together with the series they segment.')
        else setNotice(held.result.rejected.length ? 'None of the files could be loaded; see the reasons on the left.' : 'No DICOM images found.')
      }
      studies.adopt(next)
      explain(next)
      // Files refused once read whole leave the set (still this drop's, unless another came since).
      void next.revised?.then((revised) => {
        if (!revised || studies.snapshot.set !== next) return
        keepImage.current = shownImage.current
        studies.revise(revised)
        explain(revised)
      })
    },
    [studies],
  )
  useEffect(prepareIngestion, [])

  // Show the selected series in the chosen layout, once the viewer is there.
  const selectedUid = current?.series.seriesInstanceUid ?? null
  useEffect(() => {
    if (!viewer || !set || !current) return
    const imageIds = studies.imageIdsOf(current.series.seriesInstanceUid)
    for (const uid of labelmaps.snapshot.bySeries.keys()) if (uid !== current.series.seriesInstanceUid) labelmaps.remove(uid)
    if (imageIds.length === 0) {
      shownStack.current = null
      viewer.clear()
      setNotice(`This series holds no images (a ${current.series.modality || 'non-image'} object); there is nothing to display.`)
      return
    }
    const kept = keepImage.current ? imageIds.indexOf(keepImage.current) : -1
    keepImage.current = null
    // A revision of the drop that took nothing from this series changes nothing on screen:
    // showing the same images again would blank the viewport while it is rebuilt.
    const stack = `${layout}\n${imageIds.join('\n')}`
    if (shownStack.current?.viewer === viewer && shownStack.current.stack === stack) return
    shownStack.current = { viewer, stack }
    setNotice(null)
    const shown = layout === 'mpr' ? viewer.showMpr(imageIds) : viewer.showStack(imageIds, kept >= 0 ? kept : initialSliceIndex(current.series))
    shown.catch((error: Error) => setNotice(`This series could not be displayed: ${error.message}`))
    const study = current.first.studyInstanceUid
    if (!openedStudies.current.has(study)) {
      openedStudies.current.add(study)
      const studySeries = seriesOfStudy(set.result, study)
      void reportStudyOpened({
        source: set.source === 'dicomweb' ? 'dicomweb' : 'local',
        studyInstanceUid: study,
        seriesInstanceUids: studySeries.map((entry) => entry.series.seriesInstanceUid),
        instanceCount: studySeries.reduce((sum, entry) => sum + entry.series.instances.length, 0),
      })
    }
  }, [viewer, set, selectedUid, layout, studies, labelmaps])

  // The viewer renders the selected series' labelmap document itself (no copy).
  const labelmapEntry = useStore(labelmaps).bySeries.get(selectedUid ?? '') ?? null
  useEffect(() => {
    if (!viewer) return
    viewer.showLabelmap(labelmapEntry).catch((error: Error) => setNotice(`The labelmap could not be shown: ${error.message}`))
  }, [viewer, labelmapEntry])
  useEffect(() => {
    viewer?.setLabelmapVisible(labelmapVisible)
  }, [viewer, labelmapVisible])

  useEffect(() => {
    if (!initial) return
    setBusy('Retrieving the study…')
    initial.then(adopt, (error: Error) => setNotice(error.message)).finally(() => setBusy(null))
  }, [initial, adopt])

  async function open(inputs: LocalFileInput[], origin: StudyOrigin = { source: 'local', sourceRef: null }) {
    if (inputs.length === 0) return
    performance.mark('parallax:files-selected', { detail: { files: inputs.length } })
    setBusy(`Reading ${inputs.length} file${inputs.length === 1 ? '' : 's'}…`)
    try {
      await adopt(await openLocalFiles(inputs, origin, (read, total) => setBusy(`Reading files… ${read} / ${total}`)))
    } catch (error) {
      setNotice(`The files could not be read: ${(error as Error).message}`)
    } finally {
      setBusy(null)
    }
  }

  async function openDemo(demo: DemoStudyEntry) {
    setBusy(`Fetching ${demo.title}…`)
    try {
      await open(await fetchDemoFiles(demo), { source: 'demo', sourceRef: demo.key })
    } catch (error) {
      setNotice(`The demo study could not be fetched: ${(error as Error).message}`)
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

  const first = current?.first
  const currentImageIds = current ? studies.imageIdsOf(current.series.seriesInstanceUid) : []
  const sliceIndex = layout === 'stack' && state.image ? state.image.index : null
  const mpr = current ? mprEligibility(current.series) : null
  const study: StudyReference | null =
    first && set
      ? {
          studyInstanceUid: first.studyInstanceUid,
          studyDescription: first.studyDescription.slice(0, 200),
          studyDate: first.studyDate,
          accessionNumber: first.accessionNumber,
          modality: first.modality,
          source: set.source,
          sourceRef: set.sourceRef,
        }
      : null
  // One read session per study in view and user: the review panel renders it, the model panel
  // proposes through it. Keyed by what identifies the study, as `study` is a new object each render.
  const readSession = useMemo(
    () => (study && reviewer ? new ReadSession({ study, userId: reviewer.userId }) : null),
    [study?.studyInstanceUid, study?.source, study?.sourceRef, reviewer?.userId],
  )
  async function onPropose(proposal: FindingProposal) {
    await readSession?.propose(proposal)
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
    'data-series-uid': selectedUid ?? '',
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
      <StudyPanel studies={studies} busy={busy} onFiles={(inputs) => void open(inputs)} onDemo={(demo) => void openDemo(demo)} />
      <section className="viewer-center">
        <Toolbar
          tool={tool}
          onTool={chooseTool}
          run={run}
          layout={layout}
          onLayout={(mode) => current && studies.select(current.series.seriesInstanceUid, mode)}
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
        {projectTask && reviewer && (
          <ProjectTaskPanel
            key={`${projectTask.projectId}/${projectTask.taskId}`}
            {...projectTask}
            studies={studies}
            labelmaps={labelmaps}
            userId={reviewer.userId}
            onStudy={adopt}
          />
        )}
        {reviewer && study && readSession && current && set && (
          <ReviewPanel
            key={study.studyInstanceUid}
            session={readSession}
            context={{
              series: current.series,
              studySeries: seriesOfStudy(set.result, study.studyInstanceUid).map((entry) => entry.series),
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
          labelmaps={labelmaps}
          quality={quality}
          onPropose={reviewer && reviewer.role !== 'auditor' ? onPropose : undefined}
        />
        <SegmentsPanel
          viewer={viewer}
          series={current?.series ?? null}
          imageIds={currentImageIds}
          labelmaps={labelmaps}
          userId={reviewer?.userId ?? 'local'}
          tool={tool}
          layout={layout}
          onTool={chooseTool}
        />
        <InteractivePanel viewer={viewer} series={current?.series ?? null} imageIds={currentImageIds} labelmaps={labelmaps} />
        <SegPanel studies={studies} labelmaps={labelmaps} author={reviewer?.userId ?? 'Parallax user'} canStore={!!reviewer && reviewer.role !== 'auditor'} />
        <DetailsPanel viewer={viewer} state={state} current={current} layout={layout} />
        <QualityPanel studies={studies} quality={quality} viewer={viewer} />
      </aside>
    </div>
  )
}
