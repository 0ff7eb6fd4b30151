'use client'
import { useEffect, useMemo, useState, type DragEvent } from 'react'
import type { LocalFileInput } from '../dicom/ingest.client'
import { filesFromDrop } from '../viewer/drop.client'
import { listDemoStudies, type DemoStudyEntry } from './demo-study.client'
import { SeriesBrowser } from './series-browser.client'
import type { StudySetStore } from './study-set-store'
import { useStore } from './use-store.client'

// The left panel: where studies come from (files, a folder, a drop, the demo set) and the
// series of the one held, with the files that opened with a warning and those that could
// not be loaded, and why.

function filesOf(input: HTMLInputElement): LocalFileInput[] {
  const files = Array.from(input.files ?? [])
  input.value = ''
  return files.map((file) => ({ name: file.webkitRelativePath || file.name, file }))
}

export function StudyPanel({
  studies,
  busy,
  onFiles,
  onDemo,
}: {
  studies: StudySetStore
  busy: string | null
  onFiles: (inputs: LocalFileInput[]) => void
  onDemo: (demo: DemoStudyEntry) => void
}) {
  const { set, selected, rejected } = useStore(studies)
  // Files that opened although something was missing (no file header, no Study Instance UID).
  const warned = useMemo(
    () =>
      (set?.result.patients ?? []).flatMap((patient) =>
        patient.studies.flatMap((study) =>
          study.series.flatMap((series) => series.instances.flatMap((instance) => instance.warnings.map((warning) => ({ source: instance.source, warning })))),
        ),
      ),
    [set],
  )
  const [dragging, setDragging] = useState(false)
  const [demos, setDemos] = useState<DemoStudyEntry[]>([])
  useEffect(() => {
    listDemoStudies().then(setDemos, () => setDemos([]))
  }, [])

  async function onDrop(event: DragEvent<HTMLDivElement>) {
    event.preventDefault()
    setDragging(false)
    onFiles(await filesFromDrop(event.dataTransfer))
  }

  return (
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
            <input type="file" multiple hidden data-testid="dicom-file-input" onChange={(event) => onFiles(filesOf(event.target))} />
          </label>
          <label className="button-like">
            Folder…
            <input
              type="file"
              hidden
              data-testid="dicom-folder-input"
              {...({ webkitdirectory: '' } as Record<string, string>)}
              onChange={(event) => onFiles(filesOf(event.target))}
            />
          </label>
        </div>
        <div className="muted" style={{ marginTop: '.4rem', fontSize: '.75rem' }}>
          Files are read in this browser; nothing is uploaded.
        </div>
      </div>
      {demos.length > 0 && (
        <div data-testid="demo-studies" style={{ fontSize: '.8rem' }}>
          <span className="muted">Demo (synthetic): </span>
          {demos.map((demo) => (
            <button key={demo.key} type="button" className="link-like" data-testid="demo-study" data-key={demo.key} onClick={() => onDemo(demo)}>
              {demo.title}
            </button>
          ))}
        </div>
      )}
      {busy && (
        <div className="muted" data-testid="viewer-busy">
          {busy}
        </div>
      )}
      {set && (
        <SeriesBrowser result={set.result} imageIdsBySeries={set.imageIdsBySeries} selected={selected?.series.seriesInstanceUid ?? null} onSelect={(uid) => studies.select(uid)} />
      )}
      {warned.length > 0 && (
        <section className="rejected" data-testid="file-warnings">
          <h2 style={{ margin: '.5rem 0' }}>Opened with warnings ({warned.length})</h2>
          <ul style={{ paddingLeft: '1rem', margin: 0 }}>
            {warned.map(({ source, warning }) => (
              <li key={`${source}|${warning.kind}`} data-testid="file-warning" data-source={source} data-kind={warning.kind}>
                <strong>{source}</strong>: <span className="warn">{warning.message}</span>
              </li>
            ))}
          </ul>
        </section>
      )}
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
  )
}
