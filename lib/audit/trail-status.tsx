import type { AuditTrailVerdict, QuickTrailVerdict } from './checkpoints.server'

const plural = (count: number, noun: string) => `${count.toLocaleString('en-US')} ${noun}${count === 1 ? '' : 's'}`

/**
 * The audit page's verdict, saying how far it reaches: the quick check vouches for the
 * signed ranges by their signatures and head hashes only, so the page names what was
 * recomputed and offers the full verification.
 */
export function TrailStatus({ verdict, full }: { verdict: AuditTrailVerdict | QuickTrailVerdict; full: boolean }) {
  const quick = 'recomputedFrom' in verdict ? verdict : null
  return (
    <section className="card" data-testid="chain-status" data-ok={verdict.ok ? 'true' : 'false'} data-scope={quick ? 'quick' : 'full'}>
      {verdict.ok ? (
        <span>
          <span className="badge ok">Chain intact</span> head seq {verdict.headSeq} · <code>{verdict.headHash.slice(0, 16)}…</code> ·{' '}
          {plural(verdict.checkpoints, 'signed checkpoint')} verified against the witness ·{' '}
          {quick
            ? quick.recomputedFrom > verdict.headSeq
              ? 'no events after the last checkpoint'
              : `events ${quick.recomputedFrom}–${verdict.headSeq} recomputed`
            : `all ${plural(verdict.count, 'event')} recomputed`}
        </span>
      ) : (
        <span>
          <span className="badge bad">Chain broken</span> at seq <strong>{verdict.firstBadSeq}</strong>: {verdict.message}
        </span>
      )}
      {quick && (
        <p className="muted" data-testid="chain-scope">
          Quick check: events before seq {quick.recomputedFrom} are vouched for by their checkpoints&apos; signatures and head hashes, not recomputed.{' '}
          {quick.lastFull
            ? `Last full verification by this server: ${quick.lastFull.at.toISOString()}, ${plural(quick.lastFull.count, 'event')} to seq ${quick.lastFull.headSeq}.`
            : 'No full verification by this server since it started.'}{' '}
          <a href="/audit?verify=full" data-testid="verify-full">
            Verify every event now
          </a>{' '}
          (or <code>npm run audit:verify</code>).
        </p>
      )}
    </section>
  )
}
