'use client'
import Link from 'next/link'
import { useMemo, useState, type FormEvent } from 'react'
import { downloadBlob } from '../http/download.client'
import { AgreementHeatMap, DiceDistribution } from './agreement-charts.client'
import { AgreementPanel } from './agreement-panel.client'
import { agreementMatrix, studyRows, studyRowsCsv } from './dashboard-figures'
import { addAnnotators, addStudies, updateProject } from './projects.client'
import { uidSchema, type ProjectDto, type ProjectRole } from './schema'

// The project dashboard: progress per annotator, the agreement matrix and Dice distribution,
// the per-study table (with its CSV, made in the browser), and for whoever manages the
// project the forms that add studies and annotators. The server's answer replaces the
// project held after each change.

const format = (value: number | null, digits = 3) => (value === null ? '–' : value.toFixed(digits))

export function ProjectDashboard({ initial }: { initial: ProjectDto }) {
  const [project, setProject] = useState(initial)
  const matrix = useMemo(() => agreementMatrix(project), [project])
  const rows = useMemo(() => studyRows(project), [project])

  return (
    <div style={{ display: 'flex', flexDirection: 'column', gap: '1rem' }} data-testid="project-dashboard" data-project-id={project.id} data-blinded={project.blinded}>
      <p className="muted">
        {project.description || 'No description.'} · created by {project.createdBy.name} ·{' '}
        <span className="badge" data-testid="project-status">
          {project.status}
        </span>
        {project.blinded && <span className="badge"> blinded until agreement is computed</span>}
      </p>
      {project.annotating && (
        <p>
          <Link href={`/projects/${project.id}/queue`} data-testid="open-queue">
            Your queue
          </Link>
        </p>
      )}
      {project.canManage && <ManageForms project={project} onChange={setProject} />}
      {project.canManage && <AgreementPanel project={project} onChange={setProject} />}

      <section className="card">
        <h2 style={{ marginTop: 0 }}>Progress</h2>
        <table data-testid="annotator-progress">
          <thead>
            <tr>
              <th>Annotator</th>
              <th>Role</th>
              <th>Open</th>
              <th>In progress</th>
              <th>Submitted</th>
            </tr>
          </thead>
          <tbody>
            {project.annotators.map((annotator) => (
              <tr key={annotator.userId} data-testid="annotator-row" data-user-id={annotator.userId} data-submitted={annotator.submitted}>
                <td>{annotator.displayName}</td>
                <td>{annotator.role}</td>
                <td>{annotator.open}</td>
                <td>{annotator.inProgress}</td>
                <td>{annotator.submitted}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      <div className="grid">
        <section className="card">
          <h2 style={{ marginTop: 0 }}>Agreement (mean Dice)</h2>
          <AgreementHeatMap matrix={matrix} />
        </section>
        <section className="card">
          <h2 style={{ marginTop: 0 }}>Distribution of Dice</h2>
          <DiceDistribution values={project.agreements.map((record) => record.dice)} />
        </section>
      </div>

      <section className="card">
        <h2 style={{ marginTop: 0 }}>Studies</h2>
        <button
          type="button"
          onClick={() => downloadBlob(`${project.name.replace(/[^\w-]+/g, '-')}-studies.csv`, new Blob([studyRowsCsv(rows)], { type: 'text/csv' }))}
          data-testid="export-csv"
        >
          Export CSV
        </button>
        <table data-testid="study-table">
          <thead>
            <tr>
              <th>Study</th>
              <th>Uncertainty</th>
              <th>Submitted</th>
              <th>Mean Dice</th>
              <th>Mean HD95 (mm)</th>
              <th>Mean ASSD (mm)</th>
              <th>Consensus</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.studyId} data-testid="study-row" data-study-uid={row.studyInstanceUid}>
                <td title={row.studyInstanceUid}>{row.studyDescription || row.studyInstanceUid}</td>
                <td>{format(row.queueScore)}</td>
                <td>
                  {row.submitted} / {row.tasks}
                </td>
                <td>{format(row.meanDice)}</td>
                <td>{format(row.meanHd95Mm, 2)}</td>
                <td>{format(row.meanAssdMm, 2)}</td>
                <td>{row.consensus ? 'yes' : '–'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </div>
  )
}

function ManageForms({ project, onChange }: { project: ProjectDto; onChange: (project: ProjectDto) => void }) {
  const [uids, setUids] = useState('')
  const [pacsId, setPacsId] = useState('')
  const [username, setUsername] = useState('')
  const [role, setRole] = useState<ProjectRole>('annotator')
  const [message, setMessage] = useState<{ kind: 'error' | 'notice'; text: string } | null>(null)

  const run = async (change: () => Promise<ProjectDto>, done: string) => {
    setMessage(null)
    try {
      onChange(await change())
      setMessage({ kind: 'notice', text: done })
    } catch (error) {
      setMessage({ kind: 'error', text: (error as Error).message })
    }
  }

  const submitStudies = (event: FormEvent) => {
    event.preventDefault()
    const list = uids.split(/[\s,]+/).filter(Boolean)
    const bad = list.find((uid) => !uidSchema.safeParse(uid).success)
    if (bad) return setMessage({ kind: 'error', text: `${bad} is not a DICOM UID.` })
    void run(
      () =>
        addStudies(
          project.id,
          list.map((studyInstanceUid) => ({ studyInstanceUid, pacsId: pacsId.trim() || null })),
        ),
      `${list.length} studies added.`,
    ).then(() => setUids(''))
  }

  const submitAnnotator = (event: FormEvent) => {
    event.preventDefault()
    void run(() => addAnnotators(project.id, [{ username: username.trim(), role }]), `${username.trim()} added.`).then(() => setUsername(''))
  }

  const active = project.status === 'active'
  return (
    <section className="card" style={{ display: 'flex', flexDirection: 'column', gap: '.6rem' }} data-testid="project-manage">
      <h2 style={{ margin: 0 }}>Manage</h2>
      <form className="form-row" onSubmit={submitStudies} data-testid="add-studies-form">
        <label style={{ flex: 1 }}>
          Study Instance UIDs (one per line)
          <textarea value={uids} onChange={(event) => setUids(event.target.value)} rows={3} style={{ width: '100%' }} data-testid="study-uids" />
        </label>
        <label>
          PACS id (none for local files)
          <input value={pacsId} onChange={(event) => setPacsId(event.target.value)} data-testid="study-pacs" />
        </label>
        <button type="submit" disabled={!active} data-testid="add-studies">
          Add studies
        </button>
      </form>
      <form className="form-row" onSubmit={submitAnnotator} data-testid="add-annotator-form">
        <label>
          Username
          <input value={username} onChange={(event) => setUsername(event.target.value)} required data-testid="annotator-username" />
        </label>
        <label>
          Role
          <select value={role} onChange={(event) => setRole(event.target.value as ProjectRole)} data-testid="annotator-role">
            <option value="annotator">Annotator</option>
            <option value="manager">Manager</option>
          </select>
        </label>
        <button type="submit" disabled={!active} data-testid="add-annotator">
          Add
        </button>
        <button
          type="button"
          onClick={() => void run(() => updateProject(project.id, { status: active ? 'closed' : 'active' }), active ? 'Project closed.' : 'Project reopened.')}
          data-testid="toggle-status"
        >
          {active ? 'Close project' : 'Reopen project'}
        </button>
      </form>
      <div role="status" className={message?.kind ?? ''} data-testid="project-message" style={{ minHeight: '1.5rem' }}>
        {message?.text}
      </div>
    </section>
  )
}
