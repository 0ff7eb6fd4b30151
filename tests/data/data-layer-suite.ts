// The data-layer contract, run once per database (tests/data/sqlite.test.ts,
// tests/data/postgres.test.ts): migrations, demo seeding, audited user changes, single
// sign-on accounts (sso-suite.ts), the append-only hash-chained audit log, tamper
// detection (library and CLI), login throttling and sessions (auth-suite.ts), PACS server
// configuration (pacs-suite.ts) and access (pacs-access-suite.ts), and second reads
// (findings, signed and amended reads, signatures bound to what was seen, their audit
// events and the database's immutability guards), annotation projects
// (annotation-projects-suite.ts), then what else the trail must hold and
// the events of every state-changing route (audit-coverage-suite.ts). Tests run in the
// order below and share one database; each asserts relative to the state the ones before
// it left.
import { describe } from 'node:test'
import type { DatabaseProvider } from '../../lib/db/config'
import { defineAnnotationProjectTests } from './annotation-projects-suite'
import { defineAuditCompletenessTests } from './audit-completeness-suite'
import { defineAuditCoverageTests } from './audit-coverage-suite'
import { defineAuditLogTests } from './audit-log-suite'
import { defineSessionTests, defineThrottleTests } from './auth-suite'
import { dataLayerContext } from './data-layer-context'
import { definePacsAccessSuite } from './pacs-access-suite'
import { definePacsSuite } from './pacs-suite'
import { defineSignedReadTests } from './second-reads-amendments'
import { secondReadsContext, type SecondReads } from './second-reads-context'
import { defineReadFindingTests } from './second-reads-findings'
import { defineSignatureTests } from './second-reads-signatures'
import { defineReadWorklistTests } from './second-reads-worklists'
import { defineSsoAccountTests } from './sso-suite'
import { defineMigrationTests, defineUserTests } from './users-suite'

export function defineDataLayerSuite(provider: DatabaseProvider, getUrl: () => string | Promise<string>): void {
  describe(`data layer on ${provider}`, () => {
    const c = dataLayerContext(provider, getUrl)

    defineMigrationTests(c)
    defineUserTests(c)
    defineSsoAccountTests(c)
    definePacsSuite(() => c)
    definePacsAccessSuite(() => c)

    let reads: SecondReads
    describe('second reads', () => {
      reads = secondReadsContext(c)
      defineReadFindingTests(c, reads)
      defineSignedReadTests(c, reads)
      defineReadWorklistTests(c, reads)
      defineSignatureTests(c, reads)
    })

    defineAuditLogTests(c)
    defineThrottleTests(c)
    defineSessionTests(c)
    defineAnnotationProjectTests(c, () => reads)
    defineAuditCompletenessTests(c, () => reads)
    defineAuditCoverageTests(c, () => reads)
  })
}
