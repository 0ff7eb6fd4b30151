'use client'
import Link from 'next/link'
import { useState } from 'react'
import { fetchQueue } from './projects.client'
import { taskViewerHref, type QueueEntryDto, type QueueOrder } from './schema'

// An annotator's queue in one project: each task opens the viewer on its study with the
// project and task in the address, from where the viewer opens (audited) and submits it.
// Ordered as studies were added, or by the model's uncertainty (most uncertain first).

const statusLabels = { open: 'To do', 'in-progress': 'In progress', submitted: 'Submitted' } as const

export function AnnotationQueue({ projectId, initial }: { projectId: string; initial: QueueEntryDto[] }) {
  const [entries, setEntries] = useState(initial)
  const [order, setOrder] = useState<QueueOrder>('added')
  const [error, setError] = useState<string | null>(null)

  const reorder = async (next: QueueOrder) => {
    setOrder(next)
    try {
      setEntries(await fetchQueue(projectId, next))
      setError(null)
    } catch (caught) {
      setError((caught as Error).message)
    }
  }

  if (entries.length === 0)
    return (
      <p className="muted" data-testid="queue-empty">
        Nothing in your queue here.
      </p>
    )
  return (
    <>
      <label>
        Order{' '}
        <select value={order} onChange={(event) => void reorder(event.target.value as QueueOrder)} data-testid="queue-order">
          <option value="added">As added</option>
          <option value="uncertainty">Most uncertain first</option>
        </select>
      </label>
      <div role="status" className="error">
        {error}
      </div>
      <table data-testid="queue">
        <thead>
          <tr>
            <th>Study</th>
            <th>Uncertainty</th>
            <th>Status</th>
            <th></th>
          </tr>
        </thead>
        <tbody>
          {entries.map((entry) => (
            <tr key={entry.taskId} data-testid="queue-entry" data-task-id={entry.taskId} data-study-uid={entry.study.studyInstanceUid} data-status={entry.status}>
              <td title={entry.study.studyInstanceUid}>{entry.study.studyDescription || entry.study.studyInstanceUid}</td>
              <td>{entry.study.queueScore ? `${entry.study.queueScore.score.toFixed(3)} (${entry.study.queueScore.modelId})` : '–'}</td>
              <td>{statusLabels[entry.status]}</td>
              <td>
                {entry.status === 'submitted' ? (
                  <span className="muted">Submitted {entry.submittedAt?.slice(0, 10)}</span>
                ) : (
                  <Link href={taskViewerHref(projectId, entry.taskId)} data-testid="annotate">
                    Annotate
                  </Link>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  )
}
