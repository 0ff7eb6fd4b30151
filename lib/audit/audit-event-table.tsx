import type { AuditEventDto } from './queries.server'

const outcomeLabels: Record<number, string> = { 0: 'Success', 4: 'Minor failure', 8: 'Serious failure', 12: 'Major failure' }

function describeDetails(details: Record<string, unknown>): string {
  return Object.entries(details)
    .map(([key, value]) => `${key}: ${String(value)}`)
    .join(' · ')
}

export function AuditEventTable({ events }: { events: AuditEventDto[] }) {
  return (
    <table data-testid="audit-events">
      <thead>
        <tr>
          <th>Seq</th>
          <th>Time (UTC)</th>
          <th>Event</th>
          <th>Code</th>
          <th>Outcome</th>
          <th>Actor</th>
          <th>Details</th>
        </tr>
      </thead>
      <tbody>
        {events.map((event) => (
          <tr key={event.seq} data-testid="audit-event" data-event-type={event.eventType} data-seq={event.seq}>
            <td>{event.seq}</td>
            <td>{event.occurredAt.replace('T', ' ').replace('Z', '')}</td>
            <td>{event.eventType}</td>
            <td>
              <code>
                {event.eventCode}
                {event.eventTypeCode ? ` / ${event.eventTypeCode}` : ''}
              </code>
            </td>
            <td className={event.outcome === 0 ? '' : 'error'}>{outcomeLabels[event.outcome] ?? event.outcome}</td>
            <td>{event.actor ? `${event.actor.username} (${event.actor.role})` : <span className="muted">system / anonymous</span>}</td>
            <td className="muted">{describeDetails(event.details)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}
