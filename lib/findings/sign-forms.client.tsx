'use client'
import { useState } from 'react'
import { signatureMeanings, type SignatureMeaning } from './types'

// Signing an open read with the password (21 CFR 11.200) and amending a signed one.

interface SignFormProps {
  pending: number
  busy: boolean
  /** The contentHash of the read on screen: shown here, and what the signature will bind. */
  contentHash: string
  onSign: (password: string, meaning: SignatureMeaning, contentHash: string) => Promise<unknown>
}

export function SignForm({ pending, busy, contentHash, onSign }: SignFormProps) {
  const [password, setPassword] = useState('')
  const [meaning, setMeaning] = useState<SignatureMeaning>('review')
  return (
    <form
      className="card"
      style={{ padding: '.5rem .7rem', marginTop: '.5rem' }}
      data-testid="sign-form"
      onSubmit={(event) => {
        event.preventDefault()
        void onSign(password, meaning, contentHash).then(() => setPassword(''))
      }}
    >
      <strong>Sign this read</strong>
      {pending > 0 && (
        <p className="warn" style={{ fontSize: '.75rem', margin: '.2rem 0' }}>
          {pending} AI finding{pending === 1 ? '' : 's'} still pending.
        </p>
      )}
      <div className="form-row">
        <select aria-label="Meaning of the signature" data-testid="sign-meaning" value={meaning} onChange={(event) => setMeaning(event.target.value as SignatureMeaning)}>
          {Object.entries(signatureMeanings).map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
        <input
          type="password"
          aria-label="Password"
          data-testid="sign-password"
          autoComplete="current-password"
          placeholder="Password"
          value={password}
          onChange={(event) => setPassword(event.target.value)}
        />
        <button type="submit" className="primary" data-testid="sign-read" disabled={busy || pending > 0 || password.length === 0}>
          Sign
        </button>
      </div>
      <p className="muted" style={{ fontSize: '.7rem', margin: '.2rem 0 0' }}>
        Signing binds your name, the time and this meaning to the findings as they are shown here; a signed read can only be amended.
      </p>
      <p className="muted" style={{ fontSize: '.7rem', margin: '.2rem 0 0', wordBreak: 'break-all' }}>
        Content SHA-256 <span data-testid="sign-content-hash">{contentHash}</span>
      </p>
    </form>
  )
}

export function AmendForm({ busy, onAmend }: { busy: boolean; onAmend: (reason: string) => void }) {
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
      <input
        aria-label="Reason for the amendment"
        data-testid="amend-reason"
        placeholder="Reason for the amendment"
        value={reason}
        onChange={(event) => setReason(event.target.value)}
      />
      <button type="submit" data-testid="confirm-amend" disabled={busy || reason.trim().length < 3}>
        Create amendment
      </button>
    </form>
  )
}
