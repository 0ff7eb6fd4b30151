import Link from 'next/link'
import { headers } from 'next/headers'
import { recordAudit } from '@/lib/audit/append.server'
import { activeFilters, auditPageQuerySchema, listAuditEvents, type AuditFilter } from '@/lib/audit/queries.server'
import { quickVerifyAuditTrail, verifyAuditTrail } from '@/lib/audit/checkpoints.server'
import { TrailStatus } from '@/lib/audit/trail-status'
import { AuditEventTable } from '@/lib/audit/audit-event-table'
import { pageRoles } from '@/lib/auth/access'
import { clientAddress } from '@/lib/auth/client-address'
import { requirePageUser } from '@/lib/auth/guard.server'
import { roles } from '@/lib/vocabulary/roles'
import { getDb } from '@/lib/db/client.server'
import { readerAgreementReport } from '@/lib/findings/agreement.server'
import { AgreementView } from '@/lib/findings/agreement-view'

function withFilters(filter: AuditFilter, extra: Record<string, string>): string {
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(filter)) if (typeof value === 'string' && value) params.set(key, value)
  for (const [key, value] of Object.entries(extra)) params.set(key, value)
  return params.toString()
}

export default async function AuditPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const user = await requirePageUser('/audit', pageRoles.audit)
  const parsed = auditPageQuerySchema.safeParse(await searchParams)
  const query = parsed.success ? parsed.data : { limit: 50 }
  const { before: _before, limit: _limit, ...filter } = query
  const db = getDb()
  // The quick check on every view; every event recomputed when asked for (?verify=full).
  const full = (await searchParams).verify === 'full'
  // Agreement names studies and readers' notes: shown to auditors, not to admins.
  const [verdict, page, agreement] = await Promise.all([
    full ? verifyAuditTrail(db) : quickVerifyAuditTrail(db),
    listAuditEvents(db, query),
    user.role === 'auditor' ? readerAgreementReport(db) : null,
  ])
  await recordAudit(db, { type: 'audit-log-viewed', view: full ? 'verification' : 'events' }, { actor: user, sourceIp: clientAddress(await headers()) })
  const filtered = activeFilters(filter).length > 0
  return (
    <>
      <h1>Audit trail</h1>
      <TrailStatus verdict={verdict} full={full} />
      {agreement && <AgreementView report={agreement} />}
      <h2>Events, newest first</h2>
      {!parsed.success && <p className="error">Some filters were not understood and were ignored: {parsed.error.issues.map((issue) => issue.path.join('.')).join(', ')}.</p>}
      <form method="get" className="form-row" data-testid="audit-filters" style={{ marginBottom: '.6rem' }}>
        <label>
          User <input name="user" defaultValue={filter.user ?? ''} size={12} />
        </label>
        <label>
          Role{' '}
          <select name="role" defaultValue={filter.role ?? ''}>
            <option value="">any</option>
            {roles.map((role) => (
              <option key={role}>{role}</option>
            ))}
          </select>
        </label>
        <label>
          Study UID <input name="study" defaultValue={filter.study ?? ''} size={20} />
        </label>
        <label>
          Model <input name="model" defaultValue={filter.model ?? ''} size={14} />
        </label>
        <label>
          Event type <input name="type" defaultValue={filter.type ?? ''} size={14} placeholder="e.g. read-signed" />
        </label>
        <label>
          From <input type="date" name="from" defaultValue={filter.from ?? ''} />
        </label>
        <label>
          To <input type="date" name="to" defaultValue={filter.to ?? ''} />
        </label>
        <button type="submit">Filter</button>
        {filtered && <Link href="/audit">Clear</Link>}
        <span className="sep" />
        <a href={`/api/audit/export?${withFilters(filter, { format: 'csv' })}`} data-testid="export-csv" download>
          Export CSV
        </a>
        <a href={`/api/audit/export?${withFilters(filter, { format: 'fhir' })}`} data-testid="export-fhir" download>
          Export FHIR R4
        </a>
      </form>
      <AuditEventTable events={page.events} />
      <p>
        {page.nextBefore ? (
          <Link href={`/audit?${withFilters(filter, { before: String(page.nextBefore) })}`} data-testid="audit-older">
            Older events →
          </Link>
        ) : (
          <span className="muted">{filtered ? 'No older events match.' : 'Start of the trail.'}</span>
        )}
      </p>
    </>
  )
}
