// The data-layer suite on PostgreSQL: a throwaway cluster from the Debian server binaries
// (tests/support/postgres.ts), or the server named by PARALLAX_TEST_POSTGRES_URL.
// Without PostgreSQL the suite is skipped locally but fails in CI (CI=true), so a CI
// image that lost its server cannot pass silently.
import { it } from 'node:test'
import assert from 'node:assert/strict'
import { throwawayPostgres } from '../support/postgres'
import { defineDataLayerSuite } from './data-layer-suite'

const { server, unavailable } = await throwawayPostgres()

if (server) {
  const running = server
  // pg warns, once per process, when a query is issued on a client still busy with another
  // (two queries of one transaction at once: pg@9 refuses them); recorded from the start, so
  // the first such query in the suite is caught wherever it is, with its stack.
  const concurrentQueries: Error[] = []
  process.on('warning', (warning) => {
    if (/client is already executing a query/.test(warning.message)) concurrentQueries.push(warning)
  })
  defineDataLayerSuite('postgresql', () => running.createDatabase('parallax_data_layer'))
  it('issues no query on a connection still running another (pg@9 refuses them)', () => {
    assert.ok(!process.noDeprecation, 'deprecation warnings are silenced (--no-deprecation): this check would see none')
    assert.deepEqual(
      concurrentQueries.map((warning) => warning.stack),
      [],
    )
  })
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
