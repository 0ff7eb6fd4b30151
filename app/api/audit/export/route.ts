import { z } from 'zod'
import { recordAudit } from '@/lib/audit/append.server'
import { auditEventsToCsv } from '@/lib/audit/csv-export'
import { toFhirAuditBundle } from '@/lib/audit/fhir-audit-event'
import { activeFilters, auditFilterSchema, exportAuditEvents } from '@/lib/audit/queries.server'
import { pageRoles } from '@/lib/auth/access'
import { clientAddress } from '@/lib/auth/client-address'
import { route } from '@/lib/auth/route.server'
import { getDb } from '@/lib/db/client.server'

const exportQuerySchema = auditFilterSchema.extend({ format: z.enum(['csv', 'fhir']) })

// The filtered trail, oldest first, as CSV or as a FHIR R4 Bundle of AuditEvent resources.
// The export itself is audited (110106) before the file is sent.
export const GET = route({ roles: pageRoles.audit, query: exportQuerySchema }, async ({ query, user, request }) => {
  const { format, ...filter } = query
  const db = getDb()
  const { events, truncated } = await exportAuditEvents(db, filter)
  await recordAudit(
    db,
    { type: 'audit-log-exported', format, eventCount: events.length, filters: activeFilters(filter) },
    { actor: user, sourceIp: clientAddress(request.headers) },
  )
  const stamp = new Date().toISOString().replace(/[-:]/g, '').slice(0, 15)
  const headers: Record<string, string> = {
    'cache-control': 'no-store',
    'x-parallax-event-count': String(events.length),
    'x-parallax-truncated': String(truncated),
  }
  if (format === 'csv') {
    return new Response(auditEventsToCsv(events), {
      headers: { ...headers, 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="parallax-audit-${stamp}.csv"` },
    })
  }
  return new Response(JSON.stringify(toFhirAuditBundle(events, new Date())), {
    headers: { ...headers, 'content-type': 'application/fhir+json; charset=utf-8', 'content-disposition': `attachment; filename="parallax-audit-${stamp}.fhir.json"` },
  })
})
