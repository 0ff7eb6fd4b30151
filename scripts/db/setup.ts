// Creates/migrates the database named by DATABASE_URL (as PARALLAX_MIGRATION_DATABASE_URL's
// owner role where one is set); in demo mode (PARALLAX_DEMO=1) seeds the demo accounts.
import { demoModeEnabled, setupDatabase } from '../../lib/users/setup.server'
import { getDb } from '../../lib/db/client.server'

const report = await setupDatabase({ demo: demoModeEnabled() })
console.log(
  `[db] ${report.provider}: ${report.appliedMigrations.length ? `applied ${report.appliedMigrations.join(', ')}` : 'up to date'}` +
    (report.appRole ? `; granted the app role "${report.appRole}" its privileges` : '') +
    (report.seededAccounts.length ? `; seeded demo accounts ${report.seededAccounts.join(', ')}` : ''),
)
await getDb().$disconnect()
