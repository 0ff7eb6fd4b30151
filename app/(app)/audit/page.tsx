import Link from 'next/link'
import { headers } from 'next/headers'
import { recordAudit } from '@/lib/audit/append.server'
import { auditPageQuerySchema, listAuditEvents } from '@/lib/audit/queries.server'
import { verifyAuditTrail } from '@/lib/audit/checkpoints.server'
import { AuditEventTable } from '@/lib/audit/audit-event-table'
import { pageRoles } from '@/lib/auth/access'
import { clientAddress } from '@/lib/auth/client-address'
import { requirePageUser } from '@/lib/auth/guard.server'
import { getDb } from '@/lib/db/client.server'

export default async function AuditPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const user = await requirePageUser('/audit', pageRoles.audit)
  const query = auditPageQuerySchema.safeParse(await searchParams)
  const db = getDb()
  const [verdict, page] = await Promise.all([
    verifyAuditTrail(db),
    listAuditEvents(db, query.success ? query.data : { limit: 50 }),
  ])
  await recordAudit(db, { type: 'audit-log-viewed', view: 'events' }, { actor: user, sourceIp: clientAddress(await headers()) })
  return (
    <>
      <h1>Audit trail</h1>
      <section className="card" data-testid="chain-status" data-ok={verdict.ok ? 'true' : 'false'}>
        {verdict.ok ? (
          <span>
            <span className="badge ok">Chain intact</span> {verdict.count} events verified · head seq {verdict.headSeq} ·{' '}
            <code>{verdict.headHash.slice(0, 16)}…</code> · {verdict.checkpoints} signed checkpoint{verdict.checkpoints === 1 ? '' : 's'} verified
          </span>
        ) : (
          <span>
            <span className="badge bad">Chain broken</span> at seq <strong>{verdict.firstBadSeq}</strong>: {verdict.message}
          </span>
        )}
      </section>
      <h2>Events, newest first</h2>
      <AuditEventTable events={page.events} />
      <p>
        {page.nextBefore ? (
          <Link href={`/audit?before=${page.nextBefore}`} data-testid="audit-older">
            Older events →
          </Link>
        ) : (
          <span className="muted">Start of the trail.</span>
        )}
      </p>
    </>
  )
}
