'use client'
import type { ClientAuditEvent } from './client-events'

/**
 * Tells the server what the user opened or searched, for the audit trail: identifiers
 * and counts only. A failure is logged, not shown: viewing must not depend on it.
 */
export async function reportClientAuditEvent(event: ClientAuditEvent): Promise<void> {
  try {
    const response = await fetch('/api/audit/client-events', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(event),
    })
    if (!response.ok) console.error('[audit] the server refused an audit event', response.status)
  } catch (error) {
    console.error('[audit] could not report an audit event', error)
  }
}

export function reportStudyOpened(event: Omit<Extract<ClientAuditEvent, { type: 'study-opened' }>, 'type'>) {
  return reportClientAuditEvent({ type: 'study-opened', ...event })
}
