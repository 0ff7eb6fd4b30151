import 'server-only'
import { createUser } from './users.server'
import { demoAccounts } from './demo-accounts'
import { getDatabase } from '../db/client.server'
import { applyMigrations } from '../db/migrate.server'

export interface SetupReport {
  provider: string
  appliedMigrations: string[]
  seededAccounts: string[]
}

/** Creates and migrates the database, then seeds the demo accounts into an empty one. */
export async function setupDatabase({ seedDemo }: { seedDemo: boolean }): Promise<SetupReport> {
  const { db, config } = getDatabase()
  const appliedMigrations = await applyMigrations(config)
  const seededAccounts: string[] = []
  if (seedDemo && (await db.user.count()) === 0) {
    for (const account of demoAccounts) {
      await createUser(db, account, null)
      seededAccounts.push(account.username)
    }
  }
  return { provider: config.provider, appliedMigrations, seededAccounts }
}
