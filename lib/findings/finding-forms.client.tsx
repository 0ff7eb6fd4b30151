'use client'
import { useState } from 'react'
import type { FindingDecision, ReaderFinding } from './schema'
import { findingLabels, rejectReasons, type FindingDto, type FindingLabel, type FindingLocation, type RejectReason } from './types'

// The review panel's forms on a finding: reject it with a reason, modify it (label,
// measurement, or the reader's drawing as its location), or add one the AI missed.

/** The reader's latest drawing on a shown image, as a finding location and measurement. */
export type DrawnLocation = { location: FindingLocation; measurementMm: number | null } | null

export type FindingChange = Omit<Extract<FindingDecision, { action: 'modify' }>, 'action'>

export function RejectForm({ busy, onSubmit, onCancel }: { busy: boolean; onSubmit: (reason: RejectReason, note: string | null) => void; onCancel: () => void }) {
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

function LabelSelect({ testId, value, onChange, autoFocus }: { testId: string; value: FindingLabel; onChange: (label: FindingLabel) => void; autoFocus?: boolean }) {
  return (
    <select aria-label="Label" data-testid={testId} autoFocus={autoFocus} value={value} onChange={(event) => onChange(event.target.value as FindingLabel)}>
      {findingLabels.map((entry) => (
        <option key={entry}>{entry}</option>
      ))}
    </select>
  )
}

export function ModifyForm({
  finding,
  busy,
  drawn,
  onSubmit,
  onCancel,
}: {
  finding: FindingDto
  busy: boolean
  drawn: DrawnLocation
  onSubmit: (change: FindingChange) => void
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
      <input
        aria-label="Long axis (mm)"
        data-testid="modify-measurement"
        type="number"
        step="0.1"
        min="0"
        style={{ width: '5rem' }}
        value={measurement}
        onChange={(event) => setMeasurement(event.target.value)}
      />
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

export function AddForm({ busy, drawn, onSubmit, onCancel }: { busy: boolean; drawn: DrawnLocation; onSubmit: (finding: ReaderFinding) => void; onCancel: () => void }) {
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
        {drawn.location.kind === 'slice'
          ? `on image ${drawn.location.sliceIndex + 1} (draw a length or rectangle to locate it)`
          : `at your ${drawn.location.kind === 'polyline' ? 'length' : 'rectangle'} on image ${drawn.location.sliceIndex + 1}`}
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
