// Creates/migrates the database named by DATABASE_URL and seeds demo accounts on first start.
import { setupDatabase } from '../../lib/users/setup.server'
import { getDb } from '../../lib/db/client.server'

const report = await setupDatabase({ seedDemo: process.env.PARALLAX_SEED_DEMO !== '0' })
console.log(
  `[db] ${report.provider}: ${report.appliedMigrations.length ? `applied ${report.appliedMigrations.join(', ')}` : 'up to date'}` +
    (report.seededAccounts.length ? `; seeded demo accounts ${report.seededAccounts.join(', ')}` : ''),
)
await getDb().$disconnect()
