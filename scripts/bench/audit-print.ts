// Prints the audit section's tables (scripts/bench/audit-verify.ts measures them) and checks its goals.
import { VERIFY_PAGE_SIZE, type AuditVerifyResult } from './audit-verify'
import { ms, perSecond, ratio, table } from './format'
import { checkGoal } from './goals'

export function printAudit(results: readonly AuditVerifyResult[]): void {
  const [first] = results
  console.log(
    `\nAudit trail verification: ${first!.events.toLocaleString('en-US')} chained events, ${first!.checkpoints} signed checkpoints, verifyAuditTrail against the same rows read without checks, median of ${first!.runs} run${first!.runs === 1 ? '' : 's'}\n`,
  )
  table([
    ['database', 'verifyAuditTrail', 'events/s', 'ranges', 'read-only (same reads)', 'ratio', 'paged read (before)', 'hashing alone', 'checkpoint checks alone', 'fill + sign'],
    ...results.map((result) => [
      result.provider === 'sqlite' ? 'SQLite' : 'PostgreSQL',
      ms(result.verifyMs),
      perSecond(result.events, result.verifyMs),
      String(result.ranges),
      `${ms(result.readOnlyMs)} (${perSecond(result.events, result.readOnlyMs)})`,
      ratio(result.verifyMs, result.readOnlyMs),
      `${ms(result.pagedReadMs)} (${perSecond(result.events, result.pagedReadMs)})`,
      `${ms(result.hashOnlyMs)} (${ratio(result.hashOnlyMs, result.readOnlyMs)})`,
      `${ms(result.checkpointChecksOnlyMs)} (${ratio(result.checkpointChecksOnlyMs, result.readOnlyMs)})`,
      `${ms(result.fillMs)} + ${ms(result.checkpointMs)}`,
    ]),
  ])
  console.log(
    `\nread-only: every read verifyAuditTrail makes (the checkpoints, the witness, the chain's seq ranges at once, one connection each: PostgreSQL one binary COPY per range, SQLite pages of 10,000 on this thread; each event's canonical text written by the database), each row only counted; ratio = verify / read-only (the checks' own cost). paged read (before): the earlier sequential read, keyset pages of ${VERIFY_PAGE_SIZE.toLocaleString('en-US')} canonical rows (still readChain's: the quick check's tail and the fallback after a break).`,
  )
  console.log(
    'hashing alone: ChainVerifier over the same rows in memory (each link, SHA-256 over the canonical text the database wrote); checkpoint checks alone: Ed25519 signatures, each checkpoint against its stored head hash, in memory; in brackets: against read-only.',
  )
  console.log('fill: multi-row INSERTs of precomputed chained rows in transactions of 5,000 (not appendAudit); sign: createAuditCheckpoints.')
  for (const result of results) {
    checkGoal(`audit verification, ${result.provider === 'sqlite' ? 'SQLite' : 'PostgreSQL'}`, (result.events * 1000) / result.verifyMs, 'events/s', { min: 200_000 })
    if (result.page)
      checkGoal(`audit page work, ${result.page.events.toLocaleString('en-US')} events, ${result.provider === 'sqlite' ? 'SQLite' : 'PostgreSQL'}`, result.page.pageMs, 'ms', {
        max: 500,
      })
  }
  const pages = results.filter((result) => result.page)
  if (pages.length > 0) {
    console.log(
      `\nAudit page on a ${pages[0]!.page!.events.toLocaleString('en-US')}-event trail (2,000 events after the last checkpoint): the page's server work, median of ${first!.runs} run${first!.runs === 1 ? '' : 's'}\n`,
    )
    table([
      ['database', 'quick check + newest 50', 'listing alone', 'ratio', 'full verifyAuditTrail (once)', 'ratio', 'grow + sign'],
      ...pages.map((result) => [
        result.provider === 'sqlite' ? 'SQLite' : 'PostgreSQL',
        ms(result.page!.pageMs),
        ms(result.page!.listOnlyMs),
        ratio(result.page!.pageMs, result.page!.listOnlyMs),
        `${ms(result.page!.fullVerifyMs)} (${perSecond(result.page!.events, result.page!.fullVerifyMs)})`,
        ratio(result.page!.pageMs, result.page!.fullVerifyMs),
        ms(result.page!.growMs),
      ]),
    ])
    console.log(
      '\nquick check: quickVerifyAuditTrail (every checkpoint against the witness and the pinned key, each against its stored head hash, the chain recomputed after the last checkpoint) beside listAuditEvents, as app/(app)/audit/page.tsx runs them; not the HTTP request (sign-in, rendering).',
    )
  }
}
