// The data-layer contract, run once per database (tests/data/sqlite.test.ts,
// tests/data/postgres.test.ts): migrations, demo seeding, audited user changes, single
// sign-on accounts (sso-suite.ts), the append-only hash-chained audit log, tamper
// detection (library and CLI), login throttling and sessions (auth-suite.ts), PACS server
// configuration (pacs-suite.ts) and access (pacs-access-suite.ts), and second reads
// (findings, signed and amended reads, their audit events and the database's immutability
// guards). Tests run in the order below and share one database; each asserts relative to
// the state the ones before it left.
import { describe } from 'node:test'
import type { DatabaseProvider } from '../../lib/db/config'
import { defineAuditLogTests } from './audit-log-suite'
import { defineSessionTests, defineThrottleTests } from './auth-suite'
import { dataLayerContext } from './data-layer-context'
import { definePacsAccessSuite } from './pacs-access-suite'
import { definePacsSuite } from './pacs-suite'
import { defineSignedReadTests } from './second-reads-amendments'
import { secondReadsContext } from './second-reads-context'
import { defineReadFindingTests } from './second-reads-findings'
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

    describe('second reads', () => {
      const reads = secondReadsContext(c)
      defineReadFindingTests(c, reads)
      defineSignedReadTests(c, reads)
      defineReadWorklistTests(c, reads)
    })

    defineAuditLogTests(c)
    defineThrottleTests(c)
    defineSessionTests(c)
  })
}
