import 'server-only'
import { createUser } from './users.server'
import { demoAccounts } from './demo-accounts'
import { verifyPassword } from '../auth/password.server'
import { getDatabase, type Db } from '../db/client.server'
import { grantAppRole } from '../db/app-role.server'
import { resolveMigrationConfig } from '../db/config'
import { applyMigrations } from '../db/migrate.server'
import { createUserSchema, type UserDto } from './schema'

export interface SetupReport {
  provider: string
  appliedMigrations: string[]
  /** The PostgreSQL role the app runs as, when migrations ran as another (the owner). */
  appRole: string | null
  seededAccounts: string[]
}

/** Demo mode (PARALLAX_DEMO=1): demo accounts, demo studies, bundled model files. */
export function demoModeEnabled(env: Record<string, string | undefined> = process.env): boolean {
  return env.PARALLAX_DEMO === '1'
}

/**
 * Creates and migrates the database (as the owner role, PARALLAX_MIGRATION_DATABASE_URL,
 * where one is configured, then grants the app's role what it needs); in demo mode, seeds
 * the demo accounts into an empty database.
 */
export async function setupDatabase({ demo }: { demo: boolean }): Promise<SetupReport> {
  const { db, config } = getDatabase()
  const migrationConfig = resolveMigrationConfig(config)
  const appliedMigrations = await applyMigrations(migrationConfig)
  const appRole = migrationConfig === config ? null : await grantAppRole(migrationConfig, config)
  const seededAccounts: string[] = []
  if (demo && (await db.user.count()) === 0) {
    for (const account of demoAccounts) {
      await createUser(db, account, null)
      seededAccounts.push(account.username)
    }
  }
  return { provider: config.provider, appliedMigrations, appRole, seededAccounts }
}

export class PublishedPasswordError extends Error {
  constructor(readonly usernames: string[]) {
    super(
      `Refusing to start outside demo mode: ${usernames.map((name) => `"${name}"`).join(', ')} still ${usernames.length === 1 ? 'has a password' : 'have passwords'} ` +
        'published in the README (demo accounts). Reset ' +
        (usernames.length === 1 ? 'it' : 'them') +
        ' first (start once with PARALLAX_DEMO=1, sign in as an administrator, Users → reset password), or start on a new database.',
    )
  }
}

/**
 * The accounts whose stored scrypt hash matches one of the README's passwords, disabled
 * ones included (an administrator could enable them again). Each account is tried with its
 * own demo password first, so a demo database is found at the cost of one hash per account.
 */
export async function accountsWithPublishedPasswords(db: Db): Promise<string[]> {
  const users = await db.user.findMany({ select: { username: true, passwordHash: true }, orderBy: { username: 'asc' } })
  const matches = async ({ username, passwordHash }: (typeof users)[number]) => {
    const own = demoAccounts.filter((account) => account.username === username)
    for (const { password } of [...own, ...demoAccounts.filter((account) => !own.includes(account))]) {
      if (await verifyPassword(password, passwordHash)) return true
    }
    return false
  }
  // scrypt runs on libuv's four threads at 128 MiB each: four accounts at a time.
  const found: string[] = []
  for (let start = 0; start < users.length; start += 4) {
    const batch = users.slice(start, start + 4)
    const results = await Promise.all(batch.map(matches))
    found.push(...batch.filter((_, index) => results[index]).map((user) => user.username))
  }
  return found
}

/** Outside demo mode the server does not start while any account has a published password. */
export async function refusePublishedPasswords(db: Db): Promise<void> {
  const usernames = await accountsWithPublishedPasswords(db)
  if (usernames.length) throw new PublishedPasswordError(usernames)
}

export class FirstAdminError extends Error {}

/** `npm run users:create-admin`: an administrator for a production database (audited, by the system). */
export async function createAdministrator(db: Db, input: { username: string; displayName: string; password: string }): Promise<UserDto> {
  const parsed = createUserSchema.safeParse({ ...input, role: 'admin' })
  if (!parsed.success) throw new FirstAdminError(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; '))
  return createUser(db, parsed.data, null)
}
