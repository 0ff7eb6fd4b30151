import Link from 'next/link'
import { pageRoles } from '@/lib/auth/access'
import { requirePageUser } from '@/lib/auth/guard.server'
import { getDb } from '@/lib/db/client.server'
import { worklist } from '@/lib/findings/reads.server'

const sourceLabels = { local: 'Local files', dicomweb: 'PACS', demo: 'Demo' } as const

export default async function WorklistPage() {
  const user = await requirePageUser('/worklist', pageRoles.worklist)
  const entries = await worklist(getDb(), user)
  return (
    <>
      <h1>{user.role === 'researcher' ? 'Annotation worklist' : 'Second-read worklist'}</h1>
      <p className="muted">Open {user.role === 'researcher' ? 'research' : 'clinical'} reads, oldest first, with the AI findings still waiting for a decision.</p>
      {entries.length === 0 ? (
        <p className="muted" data-testid="worklist-empty">
          Nothing waits for review. Open a study in the viewer, run a model and send its findings to review.
        </p>
      ) : (
        <table data-testid="worklist">
          <thead>
            <tr>
              <th>Study</th>
              <th>Date</th>
              <th>Accession</th>
              <th>Modality</th>
              <th>Source</th>
              <th>Reader</th>
              <th>Pending</th>
              <th>Decided</th>
              <th></th>
            </tr>
          </thead>
          <tbody>
            {entries.map((entry) => (
              <tr key={entry.readId} data-testid="worklist-entry" data-read-id={entry.readId} data-study-uid={entry.study.studyInstanceUid} data-pending={entry.pending}>
                <td>
                  {entry.study.studyDescription || <span className="muted">(no description)</span>}
                  {entry.version > 1 && <span className="badge"> amendment v{entry.version}</span>}
                </td>
                <td>{entry.study.studyDate}</td>
                <td>{entry.study.accessionNumber}</td>
                <td>{entry.study.modality}</td>
                <td>{sourceLabels[entry.study.source]}</td>
                <td>{entry.reader}</td>
                <td>{entry.pending > 0 ? <span className="badge">{entry.pending}</span> : 0}</td>
                <td>{entry.decided}</td>
                <td>
                  <Link href={`/viewer?read=${entry.readId}`} data-testid="open-read">
                    Review
                  </Link>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  )
}
