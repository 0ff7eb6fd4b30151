'use client'
import Link from 'next/link'
import { useEffect, useRef, useState, type FormEvent } from 'react'
import type { ClientAuditEvent } from '../audit/client-events'
import { pacsAuthorization } from './pacs-token.client'
import { DicomwebError, formatDicomDate, formatPersonName, searchStudies, type StudyRow } from './qido'
import { studySearchSchema, usedFilterKeys, type PacsServerDto, type StudySearch } from './schema'
import { nextSort, sortStudies, studyColumns, type StudyColumn, type StudySort } from './study-sort'

// The study list: the browser queries the chosen PACS itself (QIDO-RS, with this user's
// access token) and reports only
// which filters were used and how many studies came back to the audit trail. Rows are shown
// once that record is written: the app does not display patient data it has not logged.

export type StudySearchServer = Pick<PacsServerDto, 'id' | 'name' | 'qidoRoot'>

const pageSize = 100
const fieldLabels: Record<string, string> = {
  patientName: 'Patient name',
  patientId: 'Patient ID',
  accessionNumber: 'Accession',
  modality: 'Modality',
  studyDateFrom: 'Study date from',
  studyDateTo: 'Study date to',
}
const modalities = ['CT', 'MR', 'PT', 'NM', 'CR', 'DX', 'MG', 'US', 'XA', 'RF', 'SEG', 'OT']

async function recordStudyQuery(event: Extract<ClientAuditEvent, { type: 'study-query' }>): Promise<void> {
  const response = await fetch('/api/audit/client-events', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(event),
  })
  if (!response.ok) throw new Error(`The search could not be recorded in the audit trail (HTTP ${response.status}), so its results are not shown.`)
}

export function StudySearchPanel({ servers }: { servers: StudySearchServer[] }) {
  const [pacsId, setPacsId] = useState(servers[0]?.id ?? '')
  const [rows, setRows] = useState<StudyRow[] | null>(null)
  const [lastSearch, setLastSearch] = useState<StudySearch | null>(null)
  const [hasMore, setHasMore] = useState(false)
  const [searching, setSearching] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const [sort, setSort] = useState<StudySort>({ column: 'studyDate', direction: -1 })
  const inFlight = useRef<AbortController | null>(null)
  // Before hydration a click would submit the form natively, putting the patient name
  // into the URL (history, server logs): searching waits for React.
  const [hydrated, setHydrated] = useState(false)

  useEffect(() => {
    setHydrated(true)
    return () => inFlight.current?.abort()
  }, [])

  const server = servers.find((candidate) => candidate.id === pacsId)

  async function run(search: StudySearch, append: boolean) {
    if (!server) return
    inFlight.current?.abort()
    const controller = new AbortController()
    inFlight.current = controller
    setSearching(true)
    setError(null)
    try {
      const found = await searchStudies({ qidoRoot: server.qidoRoot, authHeader: await pacsAuthorization(server.id) }, search, { signal: controller.signal })
      await recordStudyQuery({ type: 'study-query', pacsId: server.id, filterKeys: usedFilterKeys(search), resultCount: found.length })
      if (controller.signal.aborted) return
      setRows((current) => {
        if (!append || !current) return found
        const known = new Set(current.map((row) => row.studyInstanceUid))
        return [...current, ...found.filter((row) => !known.has(row.studyInstanceUid))]
      })
      setLastSearch(search)
      setHasMore(found.length === search.limit)
    } catch (caught) {
      if (caught instanceof DicomwebError && caught.kind === 'aborted') return
      if (!append) setRows(null)
      setError(caught instanceof Error ? caught.message : String(caught))
    } finally {
      if (inFlight.current === controller) {
        inFlight.current = null
        setSearching(false)
      }
    }
  }

  /** Results belong to one PACS: switching drops them and any search still running. */
  function choosePacs(id: string) {
    inFlight.current?.abort()
    setPacsId(id)
    setRows(null)
    setLastSearch(null)
    setHasMore(false)
    setError(null)
  }

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault()
    const form = new FormData(event.currentTarget)
    const value = (name: string) => String(form.get(name) ?? '')
    const parsed = studySearchSchema.safeParse({
      patientName: value('patientName'),
      patientId: value('patientId'),
      accessionNumber: value('accessionNumber'),
      modality: value('modality'),
      studyDateFrom: value('studyDateFrom'),
      studyDateTo: value('studyDateTo'),
      limit: pageSize,
      offset: 0,
    })
    if (!parsed.success) {
      setError(parsed.error.issues.map((issue) => `${fieldLabels[String(issue.path[0])] ?? 'Search'}: ${issue.message}`).join('; '))
      return
    }
    void run(parsed.data, false)
  }

  if (servers.length === 0) {
    return (
      <p className="card muted" data-testid="pacs-none">
        No PACS server is configured. An administrator can add one under PACS servers.
      </p>
    )
  }

  const shown = rows && sortStudies(rows, sort)
  return (
    <>
      <form className="card form-row" onSubmit={submit} data-testid="study-search-form" aria-label="Search studies">
        <label>
          PACS
          <select value={pacsId} onChange={(event) => choosePacs(event.target.value)} data-testid="pacs-select">
            {servers.map((candidate) => (
              <option key={candidate.id} value={candidate.id}>
                {candidate.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Patient name
          <input name="patientName" maxLength={64} placeholder="DOE^JANE or DOE*" data-testid="study-search-patient" />
        </label>
        <label>
          Patient ID
          <input name="patientId" maxLength={64} data-testid="study-search-patient-id" />
        </label>
        <label>
          Accession
          <input name="accessionNumber" maxLength={16} data-testid="study-search-accession" />
        </label>
        <label>
          Modality
          <select name="modality" defaultValue="" data-testid="study-search-modality">
            <option value="">Any</option>
            {modalities.map((modality) => (
              <option key={modality} value={modality}>
                {modality}
              </option>
            ))}
          </select>
        </label>
        <label>
          Study date from
          <input name="studyDateFrom" type="date" data-testid="study-search-date-from" />
        </label>
        <label>
          to
          <input name="studyDateTo" type="date" data-testid="study-search-date-to" />
        </label>
        <button className="primary" type="submit" disabled={searching || !hydrated} data-testid="study-search-submit">
          {searching ? 'Searching…' : 'Search'}
        </button>
      </form>
      <div role="status" style={{ minHeight: '1.5rem', margin: '.75rem 0' }}>
        {error ? (
          <span className="error" data-testid="study-search-error">
            {error}
          </span>
        ) : rows ? (
          <span className="muted" data-testid="study-result-count">
            {rows.length === 1 ? '1 study' : `${rows.length} studies`}
            {hasMore ? ' (more on the PACS)' : ''}
          </span>
        ) : null}
      </div>
      {shown && shown.length > 0 ? (
        <table data-testid="study-table">
          <thead>
            <tr>
              {(Object.keys(studyColumns) as StudyColumn[]).map((column) => (
                <th key={column} aria-sort={sort.column === column ? (sort.direction === 1 ? 'ascending' : 'descending') : 'none'}>
                  <button
                    type="button"
                    onClick={() => setSort((current) => nextSort(current, column))}
                    data-testid={`study-sort-${column}`}
                    style={{ background: 'none', border: 'none', padding: 0, color: 'inherit', font: 'inherit' }}
                  >
                    {studyColumns[column]}
                    {sort.column === column ? (sort.direction === 1 ? ' ▲' : ' ▼') : ''}
                  </button>
                </th>
              ))}
              <th />
            </tr>
          </thead>
          <tbody>
            {shown.map((row) => (
              <tr key={row.studyInstanceUid} data-testid="study-row" data-study-uid={row.studyInstanceUid}>
                <td>{formatPersonName(row.patientName) || <span className="muted">none</span>}</td>
                <td>{row.patientId}</td>
                <td style={{ whiteSpace: 'nowrap' }}>{formatDicomDate(row.studyDate)}</td>
                <td>
                  {row.modalities.map((modality) => (
                    <span key={modality} className="badge" style={{ marginRight: '.25rem' }}>
                      {modality}
                    </span>
                  ))}
                </td>
                <td>{row.studyDescription}</td>
                <td>{row.accessionNumber}</td>
                <td>
                  {row.seriesCount ?? '?'} / {row.instanceCount ?? '?'}
                </td>
                <td>
                  <Link href={`/viewer?pacs=${encodeURIComponent(pacsId)}&study=${encodeURIComponent(row.studyInstanceUid)}`} data-testid="study-open">
                    Open
                  </Link>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : rows ? (
        <p className="muted" data-testid="study-empty">
          No studies match.
        </p>
      ) : null}
      {hasMore && lastSearch ? (
        <button type="button" disabled={searching} onClick={() => void run({ ...lastSearch, offset: rows?.length ?? 0 }, true)} data-testid="study-load-more">
          Load more
        </button>
      ) : null}
    </>
  )
}
