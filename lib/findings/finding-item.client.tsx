'use client'
import { ModifyForm, RejectForm, type DrawnLocation, type FindingChange } from './finding-forms.client'
import { rejectReasons, type FindingDto, type RejectReason } from './types'

// One finding of the review panel: what it is, who proposed it (model, probability,
// runtime, explanation shown) and what the reader decided; when selected on a writable
// read, the accept, modify and reject buttons and the open decision form.

const statusLabels: Record<FindingDto['status'], string> = {
  proposed: 'Pending',
  accepted: 'Accepted',
  modified: 'Modified',
  rejected: 'Rejected',
  added: 'Added by reader',
}

interface FindingItemProps {
  finding: FindingDto
  selected: boolean
  /** The read is the user's own open read. */
  writable: boolean
  busy: boolean
  /** The decision form open on this finding, if any. */
  form: 'reject' | 'modify' | null
  drawn: DrawnLocation
  onSelect: () => void
  onAccept: () => void
  onOpenForm: (form: 'reject' | 'modify') => void
  onCloseForm: () => void
  onReject: (reason: RejectReason, note: string | null) => void
  onModify: (change: FindingChange) => void
}

export function FindingItem({ finding, selected, writable, busy, form, drawn, onSelect, onAccept, onOpenForm, onCloseForm, onReject, onModify }: FindingItemProps) {
  return (
    <li
      data-testid="finding"
      data-finding-id={finding.id}
      data-ordinal={finding.ordinal}
      data-status={finding.status}
      data-origin={finding.origin}
      data-discordant={finding.discordant ? 'true' : 'false'}
      data-selected={selected ? 'true' : 'false'}
      className={selected ? 'selected' : undefined}
      onClick={onSelect}
    >
      <div>
        <strong>
          #{finding.ordinal} {finding.label}
        </strong>
        {finding.measurementMm !== null && <> · {finding.measurementMm.toFixed(1)} mm</>} · image {finding.location.sliceIndex + 1}{' '}
        <span className={`badge${finding.status === 'rejected' ? ' bad' : finding.status === 'proposed' ? '' : ' ok'}`}>{statusLabels[finding.status]}</span>
        {finding.discordant && (
          <span className="badge bad" title="The reader and the AI disagree">
            Discordant
          </span>
        )}
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
      {writable && selected && (
        <div className="form-row" style={{ marginTop: '.3rem' }} onClick={(event) => event.stopPropagation()}>
          {finding.origin === 'ai' && (
            <button type="button" data-testid="accept-finding" disabled={busy} onClick={onAccept}>
              Accept (a)
            </button>
          )}
          <button type="button" data-testid="modify-finding" disabled={busy} onClick={() => onOpenForm('modify')}>
            Modify (m)
          </button>
          {finding.origin === 'ai' && (
            <button type="button" data-testid="reject-finding" disabled={busy} onClick={() => onOpenForm('reject')}>
              Reject (x)
            </button>
          )}
        </div>
      )}
      {writable && form && (
        <div onClick={(event) => event.stopPropagation()}>
          {form === 'reject' ? (
            <RejectForm busy={busy} onSubmit={onReject} onCancel={onCloseForm} />
          ) : (
            <ModifyForm finding={finding} busy={busy} drawn={drawn} onSubmit={onModify} onCancel={onCloseForm} />
          )}
        </div>
      )}
    </li>
  )
}
