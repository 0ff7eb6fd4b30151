'use client'
import { useCallback, useEffect, useRef, useState } from 'react'
import type { DicomSeries } from '../dicom/types'
import type { Measurement } from '../viewer/measurements'
import type { ReadSession } from './read-session.client'
import { useReadSession } from './use-read-session.client'
import { AddForm, type DrawnLocation } from './finding-forms.client'
import { FindingItem } from './finding-item.client'
import { pixelToPatient, seriesFrameOf } from '../dicom/geometry'
import { reviewCommandForKey, reviewKeyHelp } from './review-keys'
import { AmendForm, SignForm } from './sign-forms.client'
import { SignatureManifest, SrExport } from './signed-read.client'
import type { FindingDto } from './types'

// The second-read panel of the viewer: the AI's proposed findings of this study with their
// model, probability and explanation; accept, modify or reject each (keyboard: n p a m x);
// add what the AI missed from a drawn measurement; sign with the password; amend a signed
// read. It renders a ReadSession and changes the read through it: every action is a small
// JSON request, audited on the server, whose answer the session holds.

export interface ReviewContext {
  series: DicomSeries
  /** Every series of the study, for the report's image references. */
  studySeries: DicomSeries[]
  imageIds: string[]
  sliceIndex: number | null
  measurements: Measurement[]
  /** Shows an image of the current series. */
  goToSlice: (index: number) => void
  role: 'radiologist' | 'researcher' | 'auditor'
  userId: string
}

export interface ReviewPanelProps {
  /**
   * The reads of the study in view and the user's open read: one session per study and
   * user, made by the page (`new ReadSession({ study, userId })`), shared with whatever
   * else changes the read (the model panel proposes through it). The panel loads it when
   * it has not been loaded and re-renders on each of its changes.
   */
  session: ReadSession
  context: ReviewContext
}

type Form = { kind: 'reject'; findingId: string } | { kind: 'modify'; findingId: string } | { kind: 'add' } | null

/** The reader's latest drawing on a shown image, as a finding location and measurement. */
function locationFromMeasurement(context: ReviewContext): DrawnLocation {
  const frame = seriesFrameOf(context.series)
  if (!frame) return null
  const drawn = [...context.measurements].reverse().find((measurement) => measurement.kind === 'length' || measurement.kind === 'rectangle' || measurement.kind === 'ellipse')
  const index = drawn ? context.imageIds.indexOf(drawn.imageId) : -1
  if (drawn && index >= 0) {
    // Cornerstone's image coordinates start at the first pixel's corner; DICOM's
    // ImagePositionPatient is that pixel's centre.
    const toPatient = ([column, row]: [number, number]) => pixelToPatient(frame, index, column - 0.5, row - 0.5)
    const base = {
      seriesInstanceUid: frame.seriesInstanceUid,
      sopInstanceUid: frame.images[index]!.sopInstanceUid,
      frameOfReferenceUid: frame.frameOfReferenceUid,
      sliceIndex: index,
    }
    if (drawn.kind === 'length' && drawn.pixelPoints.length >= 2) {
      return {
        location: { ...base, kind: 'polyline', points: drawn.pixelPoints.slice(0, 2).map(toPatient) },
        measurementMm: drawn.value === null ? null : Math.round(drawn.value * 10) / 10,
      }
    }
    const columns = drawn.pixelPoints.map((point) => point[0])
    const rows = drawn.pixelPoints.map((point) => point[1])
    const [left, right, top, bottom] = [Math.min(...columns), Math.max(...columns), Math.min(...rows), Math.max(...rows)]
    const corners: [number, number][] = [
      [left, top],
      [right, top],
      [right, bottom],
      [left, bottom],
    ]
    return { location: { ...base, kind: 'bbox', points: corners.map(toPatient) }, measurementMm: null }
  }
  if (context.sliceIndex === null) return null
  return {
    location: {
      kind: 'slice',
      seriesInstanceUid: frame.seriesInstanceUid,
      sopInstanceUid: frame.images[context.sliceIndex]!.sopInstanceUid,
      frameOfReferenceUid: frame.frameOfReferenceUid,
      sliceIndex: context.sliceIndex,
      points: [],
    },
    measurementMm: null,
  }
}

export function ReviewPanel({ session, context }: ReviewPanelProps) {
  const { reads, read: mine, busy, error: requestError } = useReadSession(session)
  // What the session does not hold: an export that could not be built or stored.
  const [exportError, setExportError] = useState<string | null>(null)
  const [selectedId, setSelectedId] = useState<string | null>(null)
  const [form, setForm] = useState<Form>(null)

  useEffect(() => {
    // Its failure is the session's error, shown below.
    if (session.reads === null) session.load().catch(() => undefined)
  }, [session])

  // What the panel shows: my open read, else the newest signed version (for auditors, else the newest read).
  const shown = mine ?? reads?.find((read) => read.status === 'signed' && !read.amendedById) ?? (context.role === 'auditor' ? reads?.[0] : undefined) ?? null
  const writable = shown !== null && shown === mine && context.role !== 'auditor'
  const findings = shown?.findings ?? []
  const error = exportError ?? requestError?.message ?? null

  // What the key handler acts on. Keys pressed faster than React renders (n then a) must act
  // on the finding the first key selected, so handlers update this as they set state, and
  // each render (which includes those updates) writes it again. The session's own state is
  // current as soon as a request starts or its answer arrives.
  const latest = useRef({ selectedId, form })
  latest.current = { selectedId, form }

  /** A change through the session; on success the open form closes, a failure is the session's error. */
  const apply = useCallback(async (action: () => Promise<unknown>) => {
    setExportError(null)
    try {
      await action()
      latest.current.form = null
      setForm(null)
    } catch {
      // Shown from the session's state.
    }
  }, [])

  const select = useCallback(
    (finding: FindingDto | null) => {
      latest.current.selectedId = finding?.id ?? null
      setSelectedId(finding?.id ?? null)
      setForm(null)
      if (finding && finding.location.seriesInstanceUid === context.series.seriesInstanceUid) context.goToSlice(finding.location.sliceIndex)
    },
    [context],
  )

  const accept = useCallback((finding: FindingDto) => void apply(() => session.decide(finding.id, { action: 'accept' })), [apply, session])

  useEffect(() => {
    if (!writable) return
    const onKey = (event: KeyboardEvent) => {
      const target = event.target as HTMLElement | null
      if (target && ['INPUT', 'SELECT', 'TEXTAREA'].includes(target.tagName)) return
      const { selectedId, form } = latest.current
      // One decision per key press, none while a form is open or a request is on its way.
      if (session.busy || event.repeat || form) return
      const command = reviewCommandForKey(event.key, { ctrl: event.ctrlKey, meta: event.metaKey, alt: event.altKey })
      if (!command) return
      event.preventDefault()
      const findings = session.read?.findings ?? []
      const selected = findings.find((finding) => finding.id === selectedId) ?? null
      const index = selected ? findings.indexOf(selected) : -1
      if (command === 'next' || command === 'previous') {
        const pending = findings.findIndex((finding, position) => position > index && finding.status === 'proposed')
        const next = command === 'next' ? (pending >= 0 ? pending : Math.min(findings.length - 1, index + 1)) : Math.max(0, index - 1)
        select(findings[next] ?? null)
        return
      }
      if (!selected || selected.origin !== 'ai') {
        if (selected && command === 'modify') setForm({ kind: 'modify', findingId: selected.id })
        return
      }
      if (command === 'accept') accept(selected)
      else {
        latest.current.form = { kind: command, findingId: selected.id }
        setForm(latest.current.form)
      }
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [writable, select, accept, session])

  const pending = findings.filter((finding) => finding.status === 'proposed').length
  const canStart = !mine && context.role !== 'auditor'
  // The reader's drawing, for the add and modify forms (only worked out while one is open).
  const drawn = form ? locationFromMeasurement(context) : null

  return (
    <section data-testid="review-panel" data-read-id={shown?.id ?? ''} data-read-status={shown?.status ?? 'none'} data-read-version={shown?.version ?? 0}>
      <h2 style={{ margin: '0 0 .4rem' }}>
        {context.role === 'researcher' ? 'Annotation review' : 'Second read'}{' '}
        {shown && (
          <span className={`badge${shown.status === 'signed' ? ' ok' : ''}`} data-testid="read-status">
            {shown.status === 'signed' ? 'Signed' : 'Open'} · v{shown.version}
          </span>
        )}
      </h2>
      {error && (
        <p className="error" role="alert" data-testid="review-error">
          {error}
        </p>
      )}
      {reads === null && !error && <p className="muted">Loading reads…</p>}
      {shown?.amendsId && (
        <p className="muted" style={{ fontSize: '.75rem' }}>
          Amends version {shown.version - 1}: {shown.amendReason}
        </p>
      )}
      {shown && shown !== mine && shown.reader.id !== context.userId && (
        <p className="muted" style={{ fontSize: '.75rem' }}>
          Read by {shown.reader.name}
        </p>
      )}
      {reads !== null && !shown && <p className="muted">No read of this study yet. Run a model and send its findings, or start one.</p>}
      {canStart && reads !== null && (context.role === 'researcher' || !shown) && (
        <button type="button" data-testid="start-review" disabled={busy} onClick={() => void apply(() => session.open())}>
          {context.role === 'researcher' ? 'Start annotating' : 'Start a read'}
        </button>
      )}
      {findings.length > 0 && (
        <ol className="finding-list" data-testid="findings" data-pending={pending}>
          {findings.map((finding) => (
            <FindingItem
              key={finding.id}
              finding={finding}
              selected={finding.id === selectedId}
              writable={writable}
              busy={busy}
              form={form && form.kind !== 'add' && form.findingId === finding.id ? form.kind : null}
              drawn={drawn}
              onSelect={() => select(finding)}
              onAccept={() => accept(finding)}
              onOpenForm={(kind) => setForm({ kind, findingId: finding.id })}
              onCloseForm={() => setForm(null)}
              onReject={(reason, note) => void apply(() => session.decide(finding.id, { action: 'reject', reason, note }))}
              onModify={(change) => void apply(() => session.decide(finding.id, { action: 'modify', ...change }))}
            />
          ))}
        </ol>
      )}
      {writable && (
        <>
          {form?.kind === 'add' ? (
            <AddForm busy={busy} drawn={drawn} onSubmit={(finding) => void apply(() => session.addFinding(finding))} onCancel={() => setForm(null)} />
          ) : (
            <button type="button" data-testid="add-finding" onClick={() => setForm({ kind: 'add' })}>
              Add a finding the AI missed
            </button>
          )}
          {context.role === 'radiologist' && shown.purpose === 'clinical' && (
            <SignForm
              pending={pending}
              busy={busy}
              contentHash={shown.contentHash}
              onSign={(password, meaning, contentHash) => apply(() => session.sign(password, meaning, contentHash))}
            />
          )}
          <details style={{ fontSize: '.75rem' }}>
            <summary className="muted">Review keys</summary>
            {reviewKeyHelp.map((entry) => (
              <div key={entry.keys}>
                <code>{entry.keys}</code> {entry.action}
              </div>
            ))}
          </details>
        </>
      )}
      {shown?.status === 'signed' && shown.signature && (
        <>
          <SignatureManifest read={shown} />
          <SrExport
            read={shown}
            studySeries={context.studySeries}
            study={session.study}
            canStore={context.role === 'radiologist'}
            recordExport={(destination, pacsId) => session.recordExport(shown.id, destination, pacsId)}
            onError={setExportError}
          />
          {context.role === 'radiologist' && !mine && <AmendForm busy={busy} onAmend={(reason) => void apply(() => session.amend(shown.id, reason))} />}
        </>
      )}
      {reads && reads.length > 1 && (
        <details style={{ fontSize: '.75rem' }} data-testid="read-versions">
          <summary className="muted">All versions ({reads.length})</summary>
          {reads.map((read) => (
            <div key={read.id} data-testid="read-version" data-version={read.version} data-status={read.status}>
              v{read.version} · {read.reader.name} · {read.status}
              {read.signature ? ` ${read.signature.signedAt.replace('T', ' ').slice(0, 19)} UTC` : ''}
              {read.amendedById ? ' · amended' : ''}
            </div>
          ))}
        </details>
      )}
    </section>
  )
}
