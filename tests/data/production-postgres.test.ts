// A production start and the audit trust root on a fresh PostgreSQL database with two
// roles: the owner, which migrates (PARALLAX_MIGRATION_DATABASE_URL), and the app's
// (DATABASE_URL), which is no superuser and owns nothing. Skipped without PostgreSQL
// locally, required under CI=true (as tests/data/postgres.test.ts).
import { describe, it } from 'node:test'
import pg from 'pg'
import { throwawayPostgres, type PostgresServer } from '../support/postgres'
import { productionContext, type ProductionDatabase } from './production-context'
import { defineProductionStartTests } from './production-suite'
import { defineTamperTests } from './tamper-suite'

async function twoRoles(server: PostgresServer): Promise<ProductionDatabase> {
  const adminUrl = await server.createDatabase('parallax_production')
  const admin = new pg.Client({ connectionString: adminUrl })
  await admin.connect()
  try {
    for (const role of ['parallax_owner', 'parallax_app']) {
      const exists = await admin.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role])
      if (!exists.rowCount) await admin.query(`CREATE ROLE "${role}" LOGIN PASSWORD '${role}-password'`)
    }
    await admin.query('ALTER DATABASE "parallax_production" OWNER TO "parallax_owner"')
  } finally {
    await admin.end()
  }
  const as = (role: string) => {
    const url = new URL(adminUrl)
    url.username = role
    url.password = `${role}-password`
    return url.toString()
  }
  return { appUrl: as('parallax_app'), ownerUrl: as('parallax_owner') }
}

const { server, unavailable } = await throwawayPostgres()

if (server) {
  const running = server
  describe('production start and audit trust root on postgresql', () => {
    const c = productionContext('postgresql', () => twoRoles(running))
    defineProductionStartTests(c)
    defineTamperTests(c)
  })
} else if (process.env.CI === 'true') {
  it('PostgreSQL is available (required in CI)', () => {
    throw new Error(`PostgreSQL production tests cannot run in CI: ${unavailable}`)
  })
} else {
  it('production start on postgresql', { skip: `PostgreSQL production tests skipped: ${unavailable}` }, () => {})
}
