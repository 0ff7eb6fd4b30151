'use client'
import { useCallback, useEffect, useRef, useState } from 'react'
import type { DicomSeries } from '../dicom/types'
import type { Measurement } from '../viewer/measurements'
import { pixelToPatient, seriesFrameOf } from '../dicom/geometry'
import { addFinding, amendRead, decideFinding, fetchReadsOfStudy, openRead, signRead } from './reads.client'
import { reviewCommandForKey, reviewKeyHelp } from './review-keys'
import { SignatureManifest, SrExport } from './signed-read.client'
import {
  findingLabels,
  rejectReasons,
  signatureMeanings,
  type FindingDto,
  type FindingLabel,
  type FindingLocation,
  type ReadDto,
  type RejectReason,
  type SignatureMeaning,
  type StudyReference,
} from './types'

// The second-read panel of the viewer: the AI's proposed findings of this study with their
// model, probability and explanation; accept, modify or reject each (keyboard: n p a m x);
// add what the AI missed from a drawn measurement; sign with the password; amend a signed
// read. Every action is a small JSON request, audited on the server.

export interface ReviewContext {
  study: StudyReference
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

type Form = { kind: 'reject'; findingId: string } | { kind: 'modify'; findingId: string } | { kind: 'add' } | null

const statusLabels: Record<FindingDto['status'], string> = {
  proposed: 'Pending',
  accepted: 'Accepted',
  modified: 'Modified',
  rejected: 'Rejected',
  added: 'Added by reader',
}

/** The reader's latest drawing on a shown image, as a finding location and measurement. */
function locationFromMeasurement(context: ReviewContext): { location: FindingLocation; measurementMm: number | null } | null {
  const frame = seriesFrameOf(context.series)
  if (!frame) return null
  const drawn = [...context.measurements].reverse().find((measurement) => measurement.kind === 'length' || measurement.kind === 'rectangle' || measurement.kind === 'ellipse')
  const index = drawn ? context.imageIds.indexOf(drawn.imageId) : -1
  if (drawn && index >= 0) {
    // Cornerstone's image coordinates start at the first pixel's corner; DICOM's
    // ImagePositionPatient is that pixel's centre.
    const toPatient = ([column, row]: [number, number]) => pixelToPatient(frame, index, column - 0.5, row - 0.5)
    const base = { seriesInstanceUid: frame.seriesInstanceUid, sopInstanceUid: frame.images[index]!.sopInstanceUid, frameOfReferenceUid: frame.frameOfReferenceUid, sliceIndex: index }
    if (drawn.kind === 'length' && drawn.pixelPoints.length >= 2) {
      return { location: { ...base, kind: 'polyline', points: drawn.pixelPoints.slice(0, 2).map(toPatient) }, measurementMm: drawn.value === null ? null : Math.round(drawn.value * 10) / 10 }
    }
    const columns = drawn.pixelPoints.map((point) => point[0])
    const rows = drawn.pixelPoints.map((point) => point[1])
    const [left, right, top, bottom] = [Math.min(...columns), Math.max(...columns), Math.min(...rows), Math.max(...rows)]
    const corners: [number, number][] = [[left, top], [right, top], [right, bottom], [left, bottom]]
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

export function ReviewPanel({ context, refreshKey }: { context: ReviewContext; refreshKey: number }) {
  const [reads, setReads] = useState<ReadDto[] | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [selectedId, setSelectedId] = useState<string | null>(null)
  const [form, setForm] = useState<Form>(null)
  const [busy, setBusy] = useState(false)
  const studyUid = context.study.studyInstanceUid

  const load = useCallback(async () => {
    try {
      setReads(await fetchReadsOfStudy(studyUid))
    } catch (failure) {
      setError((failure as Error).message)
    }
  }, [studyUid])
  useEffect(() => {
    void load()
  }, [load, refreshKey])

  const mine = reads?.find((read) => read.status === 'open' && read.reader.id === context.userId) ?? null
  // What the panel shows: my open read, else the newest signed version (for auditors, else the newest read).
  const shown = mine ?? reads?.find((read) => read.status === 'signed' && !read.amendedById) ?? (context.role === 'auditor' ? reads?.[0] : undefined) ?? null
  const writable = shown !== null && shown === mine && context.role !== 'auditor'
  const findings = shown?.findings ?? []
  const selected = findings.find((finding) => finding.id === selectedId) ?? null

  // What the key handler acts on. Keys pressed faster than React renders (n then a) must act
  // on the finding the first key selected, so handlers update this as they set state, and
  // each render (which includes those updates) writes it again.
  const latest = useRef({ findings, selectedId, busy, form })
  latest.current = { findings, selectedId, busy, form }

  const apply = useCallback(
    async (action: () => Promise<ReadDto>) => {
      latest.current.busy = true
      setBusy(true)
      setError(null)
      try {
        const read = await action()
        setReads((previous) => [read, ...(previous ?? []).filter((entry) => entry.id !== read.id)])
        setForm(null)
        return read
      } catch (failure) {
        setError((failure as Error).message)
        return null
      } finally {
        latest.current.busy = false
        setBusy(false)
      }
    },
    [],
  )

  const select = useCallback(
    (finding: FindingDto | null) => {
      latest.current.selectedId = finding?.id ?? null
      setSelectedId(finding?.id ?? null)
      setForm(null)
      if (finding && finding.location.seriesInstanceUid === context.series.seriesInstanceUid) context.goToSlice(finding.location.sliceIndex)
    },
    [context],
  )

  const accept = useCallback((finding: FindingDto) => shown && void apply(() => decideFinding(shown.id, finding.id, { action: 'accept' })), [apply, shown])

  useEffect(() => {
    if (!writable) return
    const onKey = (event: KeyboardEvent) => {
      const target = event.target as HTMLElement | null
      if (target && ['INPUT', 'SELECT', 'TEXTAREA'].includes(target.tagName)) return
      const { findings, selectedId, busy, form } = latest.current
      // One decision per key press, none while a form is open or a request is on its way.
      if (busy || event.repeat || form) return
      const command = reviewCommandForKey(event.key, { ctrl: event.ctrlKey, meta: event.metaKey, alt: event.altKey })
      if (!command) return
      event.preventDefault()
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
  }, [writable, select, accept])

  const pending = findings.filter((finding) => finding.status === 'proposed').length
  const canStart = !mine && context.role !== 'auditor'

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
      {shown?.amendsId && <p className="muted" style={{ fontSize: '.75rem' }}>Amends version {shown.version - 1}: {shown.amendReason}</p>}
      {shown && shown !== mine && shown.reader.id !== context.userId && <p className="muted" style={{ fontSize: '.75rem' }}>Read by {shown.reader.name}</p>}
      {reads !== null && !shown && <p className="muted">No read of this study yet. Run a model and send its findings, or start one.</p>}
      {canStart && reads !== null && (context.role === 'researcher' || !shown) && (
        <button type="button" data-testid="start-review" disabled={busy} onClick={() => void apply(() => openRead(context.study))}>
          {context.role === 'researcher' ? 'Start annotating' : 'Start a read'}
        </button>
      )}
      {findings.length > 0 && (
        <ol className="finding-list" data-testid="findings" data-pending={pending}>
          {findings.map((finding) => (
            <li
              key={finding.id}
              data-testid="finding"
              data-finding-id={finding.id}
              data-ordinal={finding.ordinal}
              data-status={finding.status}
              data-origin={finding.origin}
              data-discordant={finding.discordant ? 'true' : 'false'}
              data-selected={finding.id === selectedId ? 'true' : 'false'}
              className={finding.id === selectedId ? 'selected' : undefined}
              onClick={() => select(finding)}
            >
              <div>
                <strong>#{finding.ordinal} {finding.label}</strong>
                {finding.measurementMm !== null && <> · {finding.measurementMm.toFixed(1)} mm</>} · image {finding.location.sliceIndex + 1}{' '}
                <span className={`badge${finding.status === 'rejected' ? ' bad' : finding.status === 'proposed' ? '' : ' ok'}`}>{statusLabels[finding.status]}</span>
                {finding.discordant && <span className="badge bad" title="The reader and the AI disagree">Discordant</span>}
              </div>
              <div className="muted" style={{ fontSize: '.72rem' }}>
                {finding.model ? (
                  <>
                    AI {finding.model.id} {finding.model.version} · p = {(finding.probability ?? 0).toFixed(2)} · {finding.executionProvider === 'webgpu' ? 'WebGPU' : 'WASM'}
                    {finding.explanationMethod ? ` · shown with ${finding.explanationMethod}` : ''}
                  </>
                ) : (
                  'Added by the reader'
                )}
                {finding.ai && finding.status === 'modified' && ` · AI said ${finding.ai.label}${finding.ai.measurementMm !== null ? `, ${finding.ai.measurementMm.toFixed(1)} mm` : ''}`}
                {finding.rejectReason && ` · ${rejectReasons[finding.rejectReason]}${finding.note ? `: ${finding.note}` : ''}`}
              </div>
              {writable && finding.id === selectedId && (
                <div className="form-row" style={{ marginTop: '.3rem' }} onClick={(event) => event.stopPropagation()}>
                  {finding.origin === 'ai' && (
                    <button type="button" data-testid="accept-finding" disabled={busy} onClick={() => accept(finding)}>
                      Accept (a)
                    </button>
                  )}
                  <button type="button" data-testid="modify-finding" disabled={busy} onClick={() => setForm({ kind: 'modify', findingId: finding.id })}>
                    Modify (m)
                  </button>
                  {finding.origin === 'ai' && (
                    <button type="button" data-testid="reject-finding" disabled={busy} onClick={() => setForm({ kind: 'reject', findingId: finding.id })}>
                      Reject (x)
                    </button>
                  )}
                </div>
              )}
              {writable && form && form.kind !== 'add' && form.findingId === finding.id && (
                <div onClick={(event) => event.stopPropagation()}>
                  {form.kind === 'reject' ? (
                    <RejectForm busy={busy} onSubmit={(reason, note) => void apply(() => decideFinding(shown!.id, finding.id, { action: 'reject', reason, note }))} onCancel={() => setForm(null)} />
                  ) : (
                    <ModifyForm
                      finding={finding}
                      busy={busy}
                      drawn={locationFromMeasurement(context)}
                      onSubmit={(change) => void apply(() => decideFinding(shown!.id, finding.id, { action: 'modify', ...change }))}
                      onCancel={() => setForm(null)}
                    />
                  )}
                </div>
              )}
            </li>
          ))}
        </ol>
      )}
      {writable && (
        <>
          {form?.kind === 'add' ? (
            <AddForm
              busy={busy}
              drawn={locationFromMeasurement(context)}
              onSubmit={(finding) => void apply(() => addFinding(shown.id, finding))}
              onCancel={() => setForm(null)}
            />
          ) : (
            <button type="button" data-testid="add-finding" onClick={() => setForm({ kind: 'add' })}>
              Add a finding the AI missed
            </button>
          )}
          {context.role === 'radiologist' && shown.purpose === 'clinical' && <SignForm pending={pending} busy={busy} onSign={(password, meaning) => apply(() => signRead(shown.id, password, meaning))} />}
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
          <SrExport read={shown} studySeries={context.studySeries} study={context.study} canStore={context.role === 'radiologist'} onError={setError} />
          {context.role === 'radiologist' && !mine && <AmendForm busy={busy} onAmend={(reason) => void apply(() => amendRead(shown.id, reason))} />}
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

function RejectForm({ busy, onSubmit, onCancel }: { busy: boolean; onSubmit: (reason: RejectReason, note: string | null) => void; onCancel: () => void }) {
  const [reason, setReason] = useState<RejectReason>('false-positive')
  const [note, setNote] = useState('')
  return (
    <form
      className="form-row"
      style={{ marginTop: '.3rem' }}
      onSubmit={(event) => {
        event.preventDefault()
        onSubmit(reason, note.trim() || null)
      }}
    >
      <select aria-label="Reason" data-testid="reject-reason" autoFocus value={reason} onChange={(event) => setReason(event.target.value as RejectReason)}>
        {Object.entries(rejectReasons).map(([value, label]) => (
          <option key={value} value={value}>
            {label}
          </option>
        ))}
      </select>
      <input aria-label="Note" data-testid="reject-note" placeholder="Note" value={note} onChange={(event) => setNote(event.target.value)} />
      <button type="submit" data-testid="confirm-reject" disabled={busy}>
        Reject
      </button>
      <button type="button" onClick={onCancel}>
        Cancel
      </button>
    </form>
  )
}

type Drawn = ReturnType<typeof locationFromMeasurement>

function LabelSelect({ testId, value, onChange, autoFocus }: { testId: string; value: FindingLabel; onChange: (label: FindingLabel) => void; autoFocus?: boolean }) {
  return (
    <select aria-label="Label" data-testid={testId} autoFocus={autoFocus} value={value} onChange={(event) => onChange(event.target.value as FindingLabel)}>
      {findingLabels.map((entry) => (
        <option key={entry}>{entry}</option>
      ))}
    </select>
  )
}

function ModifyForm({
  finding,
  busy,
  drawn,
  onSubmit,
  onCancel,
}: {
  finding: FindingDto
  busy: boolean
  drawn: Drawn
  onSubmit: (change: { label?: FindingLabel; measurementMm?: number | null; location?: FindingLocation; note?: string | null }) => void
  onCancel: () => void
}) {
  const [label, setLabel] = useState(finding.label as FindingLabel)
  const [measurement, setMeasurement] = useState(finding.measurementMm?.toFixed(1) ?? '')
  const [useDrawn, setUseDrawn] = useState(false)
  return (
    <form
      className="form-row"
      style={{ marginTop: '.3rem' }}
      onSubmit={(event) => {
        event.preventDefault()
        const measurementMm = measurement.trim() === '' ? null : Number(measurement)
        onSubmit({
          ...(label !== finding.label ? { label } : {}),
          ...(measurementMm !== finding.measurementMm && (measurementMm === null || measurementMm > 0) ? { measurementMm } : {}),
          ...(useDrawn && drawn ? { location: drawn.location } : {}),
        })
      }}
    >
      <LabelSelect testId="modify-label" autoFocus value={label} onChange={setLabel} />
      <input aria-label="Long axis (mm)" data-testid="modify-measurement" type="number" step="0.1" min="0" style={{ width: '5rem' }} value={measurement} onChange={(event) => setMeasurement(event.target.value)} />
      {drawn && drawn.location.kind !== 'slice' && (
        <label style={{ fontSize: '.75rem' }}>
          <input type="checkbox" data-testid="modify-use-drawn" checked={useDrawn} onChange={(event) => setUseDrawn(event.target.checked)} /> use my drawing as location
        </label>
      )}
      <button type="submit" data-testid="confirm-modify" disabled={busy}>
        Save
      </button>
      <button type="button" onClick={onCancel}>
        Cancel
      </button>
    </form>
  )
}

function AddForm({ busy, drawn, onSubmit, onCancel }: { busy: boolean; drawn: Drawn; onSubmit: (finding: { label: FindingLabel; location: FindingLocation; measurementMm: number | null; note: string | null }) => void; onCancel: () => void }) {
  const [label, setLabel] = useState<FindingLabel>('Lung nodule')
  const [note, setNote] = useState('')
  if (!drawn) return <p className="muted">Show an image of a series with position and spacing to add a finding.</p>
  return (
    <form
      className="form-row"
      data-testid="add-finding-form"
      onSubmit={(event) => {
        event.preventDefault()
        onSubmit({ label, location: drawn.location, measurementMm: drawn.measurementMm, note: note.trim() || null })
      }}
    >
      <LabelSelect testId="add-label" value={label} onChange={setLabel} />
      <input aria-label="Note" data-testid="add-note" placeholder="Note" value={note} onChange={(event) => setNote(event.target.value)} />
      <span className="muted" style={{ fontSize: '.72rem' }} data-testid="add-location" data-kind={drawn.location.kind}>
        {drawn.location.kind === 'slice' ? `on image ${drawn.location.sliceIndex + 1} (draw a length or rectangle to locate it)` : `at your ${drawn.location.kind === 'polyline' ? 'length' : 'rectangle'} on image ${drawn.location.sliceIndex + 1}`}
        {drawn.measurementMm !== null ? `, ${drawn.measurementMm.toFixed(1)} mm` : ''}
      </span>
      <button type="submit" data-testid="confirm-add" disabled={busy}>
        Add
      </button>
      <button type="button" onClick={onCancel}>
        Cancel
      </button>
    </form>
  )
}

function SignForm({ pending, busy, onSign }: { pending: number; busy: boolean; onSign: (password: string, meaning: SignatureMeaning) => Promise<unknown> }) {
  const [password, setPassword] = useState('')
  const [meaning, setMeaning] = useState<SignatureMeaning>('review')
  return (
    <form
      className="card"
      style={{ padding: '.5rem .7rem', marginTop: '.5rem' }}
      data-testid="sign-form"
      onSubmit={(event) => {
        event.preventDefault()
        void onSign(password, meaning).then(() => setPassword(''))
      }}
    >
      <strong>Sign this read</strong>
      {pending > 0 && <p className="warn" style={{ fontSize: '.75rem', margin: '.2rem 0' }}>{pending} AI finding{pending === 1 ? '' : 's'} still pending.</p>}
      <div className="form-row">
        <select aria-label="Meaning of the signature" data-testid="sign-meaning" value={meaning} onChange={(event) => setMeaning(event.target.value as SignatureMeaning)}>
          {Object.entries(signatureMeanings).map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
        <input type="password" aria-label="Password" data-testid="sign-password" autoComplete="current-password" placeholder="Password" value={password} onChange={(event) => setPassword(event.target.value)} />
        <button type="submit" className="primary" data-testid="sign-read" disabled={busy || pending > 0 || password.length === 0}>
          Sign
        </button>
      </div>
      <p className="muted" style={{ fontSize: '.7rem', margin: '.2rem 0 0' }}>Signing binds your name, the time and this meaning to the findings as they are now; a signed read can only be amended.</p>
    </form>
  )
}

function AmendForm({ busy, onAmend }: { busy: boolean; onAmend: (reason: string) => void }) {
  const [open, setOpen] = useState(false)
  const [reason, setReason] = useState('')
  if (!open) {
    return (
      <button type="button" data-testid="amend-read" onClick={() => setOpen(true)}>
        Amend…
      </button>
    )
  }
  return (
    <form
      className="form-row"
      onSubmit={(event) => {
        event.preventDefault()
        onAmend(reason.trim())
      }}
    >
      <input aria-label="Reason for the amendment" data-testid="amend-reason" placeholder="Reason for the amendment" value={reason} onChange={(event) => setReason(event.target.value)} />
      <button type="submit" data-testid="confirm-amend" disabled={busy || reason.trim().length < 3}>
        Create amendment
      </button>
    </form>
  )
}
