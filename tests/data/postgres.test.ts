// The data-layer suite on PostgreSQL: a throwaway cluster from the Debian server binaries
// (tests/support/postgres.ts), or the server named by PARALLAX_TEST_POSTGRES_URL.
// Without PostgreSQL the suite is skipped locally but fails in CI (CI=true), so a CI
// image that lost its server cannot pass silently.
import { it } from 'node:test'
import { throwawayPostgres } from '../support/postgres'
import { defineDataLayerSuite } from './data-layer-suite'

const { server, unavailable } = await throwawayPostgres()

if (server) {
  const running = server
  defineDataLayerSuite('postgresql', () => running.createDatabase('parallax_data_layer'))
} else if (process.env.CI === 'true') {
  it('PostgreSQL is available (required in CI)', () => {
    throw new Error(`PostgreSQL data-layer tests cannot run in CI: ${unavailable}`)
  })
} else {
  // The message already says how to install: apt-get install -y postgresql.
  const notice = `PostgreSQL data-layer tests skipped: ${unavailable}; ` + 'or set PARALLAX_TEST_POSTGRES_URL to a server of your own'
  console.warn(`\n[tests/data/postgres] ${notice}\n`)
  it('data layer on postgresql', { skip: notice }, () => {})
}
