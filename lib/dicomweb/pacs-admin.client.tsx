'use client'
import { useEffect, useState, type FormEvent } from 'react'
import { sendJson } from '../http/send-json.client'
import { pacsServerDtoSchema, type PacsServerDto } from './schema'

type Message = { kind: 'error' | 'notice'; text: string }

const byName = (a: PacsServerDto, b: PacsServerDto) => a.name.localeCompare(b.name)

/** Admin list of DICOMweb servers: add, edit, remove. */
export function PacsAdmin({ initialServers }: { initialServers: PacsServerDto[] }) {
  const [servers, setServers] = useState(initialServers)
  const [editing, setEditing] = useState<PacsServerDto | null>(null)
  const [message, setMessage] = useState<Message | null>(null)
  const [busy, setBusy] = useState(false)
  // Before hydration a click would submit the form natively, putting the authorization
  // header into the URL: saving waits for React.
  const [hydrated, setHydrated] = useState(false)
  useEffect(() => setHydrated(true), [])

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault()
    const formElement = event.currentTarget
    const form = new FormData(formElement)
    const field = (name: string) => String(form.get(name) ?? '').trim()
    const authHeader = field('authHeader')
    setBusy(true)
    setMessage(null)
    try {
      if (editing) {
        // Send only what changed: an empty header field keeps the stored header.
        const change: Record<string, string | null> = {}
        for (const name of ['name', 'qidoRoot', 'wadoRoot'] as const) if (field(name) !== editing[name]) change[name] = field(name)
        if (form.get('clearAuthHeader') === 'on') change.authHeader = null
        else if (authHeader) change.authHeader = authHeader
        if (Object.keys(change).length === 0) {
          setMessage({ kind: 'notice', text: 'Nothing changed.' })
          return
        }
        const saved = await sendJson(`/api/admin/pacs/${editing.id}`, 'PATCH', change, pacsServerDtoSchema)
        setServers((current) => [...current.filter((server) => server.id !== saved.id), saved].sort(byName))
        setEditing(null)
        setMessage({ kind: 'notice', text: `Saved ${saved.name}.` })
      } else {
        const body = { name: field('name'), qidoRoot: field('qidoRoot'), wadoRoot: field('wadoRoot'), authHeader: authHeader || null }
        const saved = await sendJson('/api/admin/pacs', 'POST', body, pacsServerDtoSchema)
        setServers((current) => [...current, saved].sort(byName))
        setMessage({ kind: 'notice', text: `Added ${saved.name}.` })
      }
      formElement.reset()
    } catch (error) {
      setMessage({ kind: 'error', text: (error as Error).message })
    } finally {
      setBusy(false)
    }
  }

  async function remove(server: PacsServerDto) {
    if (!window.confirm(`Remove the PACS server "${server.name}"? Users can no longer search or open its studies.`)) return
    setMessage(null)
    try {
      await sendJson(`/api/admin/pacs/${server.id}`, 'DELETE')
      setServers((current) => current.filter((candidate) => candidate.id !== server.id))
      if (editing?.id === server.id) setEditing(null)
      setMessage({ kind: 'notice', text: `Removed ${server.name}.` })
    } catch (error) {
      setMessage({ kind: 'error', text: (error as Error).message })
    }
  }

  return (
    <>
      {/* key: a fresh form (fresh default values) for each server edited. */}
      <form key={editing?.id ?? 'new'} className="card form-row" onSubmit={submit} data-testid="pacs-form" aria-label={editing ? `Edit ${editing.name}` : 'Add a PACS server'}>
        <label>
          Name
          <input name="name" required maxLength={64} defaultValue={editing?.name} data-testid="pacs-name" />
        </label>
        <label style={{ flex: '1 1 16rem' }}>
          QIDO-RS root (search)
          <input name="qidoRoot" type="url" required placeholder="https://pacs.example.org/dicom-web" defaultValue={editing?.qidoRoot} data-testid="pacs-qido-root" />
        </label>
        <label style={{ flex: '1 1 16rem' }}>
          WADO-RS root (retrieve)
          <input name="wadoRoot" type="url" required placeholder="https://pacs.example.org/dicom-web" defaultValue={editing?.wadoRoot} data-testid="pacs-wado-root" />
        </label>
        <label>
          PACS credential (Authorization header)
          <input name="authHeader" type="password" autoComplete="off" placeholder={editing?.hasAuthHeader ? 'unchanged' : 'none, e.g. Basic …'} data-testid="pacs-auth-header" />
        </label>
        {editing?.hasAuthHeader ? (
          <label style={{ flexDirection: 'row', alignItems: 'center' }}>
            <input name="clearAuthHeader" type="checkbox" data-testid="pacs-clear-auth" /> Remove header
          </label>
        ) : null}
        <button className="primary" type="submit" disabled={busy || !hydrated} data-testid="pacs-submit">
          {editing ? 'Save changes' : 'Add PACS server'}
        </button>
        {editing ? (
          <button type="button" onClick={() => setEditing(null)} data-testid="pacs-cancel-edit">
            Cancel
          </button>
        ) : null}
      </form>
      <div role="status" className={message?.kind ?? ''} data-testid="pacs-message" style={{ minHeight: '1.5rem', margin: '.75rem 0' }}>
        {message?.text}
      </div>
      {servers.length === 0 ? (
        <p className="muted" data-testid="pacs-empty">
          No PACS server is configured yet.
        </p>
      ) : (
        <table data-testid="pacs-table">
          <thead>
            <tr>
              <th>Name</th>
              <th>QIDO-RS root</th>
              <th>WADO-RS root</th>
              <th>Authorization</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {servers.map((server) => (
              <tr key={server.id} data-testid="pacs-row" data-pacs-name={server.name}>
                <td>{server.name}</td>
                <td>
                  <code>{server.qidoRoot}</code>
                </td>
                <td>
                  <code>{server.wadoRoot}</code>
                </td>
                <td>{server.hasAuthHeader ? <span className="badge ok">Header set</span> : <span className="badge">None</span>}</td>
                <td style={{ display: 'flex', gap: '.5rem' }}>
                  <button type="button" onClick={() => setEditing(server)} data-testid="pacs-edit">
                    Edit
                  </button>
                  <button type="button" className="danger" onClick={() => void remove(server)} data-testid="pacs-remove">
                    Remove
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  )
}
