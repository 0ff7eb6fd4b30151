import 'server-only'
import pg from 'pg'
import { appRoleGrantStatements } from './app-role'
import type { DatabaseConfig } from './config'

// Runs the app's PostgreSQL role as lib/db/app-role.ts describes: checked on the app's own
// connection, granted on the owner's, after every migration.

async function withClient<T>(config: DatabaseConfig, run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: config.url })
  await client.connect()
  try {
    return await run(client)
  } finally {
    await client.end()
  }
}

export interface AppRoleStatus {
  role: string
  /** Superuser, owner of the audit trail's tables or a member of their owner: it could alter them or disable their triggers. */
  canAlterAuditTrail: boolean
}

/** Who the app connects as, and whether that role could rewrite history past the triggers. */
export async function appRoleStatus(app: DatabaseConfig): Promise<AppRoleStatus> {
  return withClient(app, async (client) => {
    const { rows } = await client.query<{ role: string; superuser: boolean; owner: boolean }>(
      `SELECT current_user AS role, r.rolsuper AS superuser, pg_has_role(current_user, c.relowner, 'MEMBER') AS owner
         FROM pg_class c JOIN pg_roles r ON r.rolname = current_user
        WHERE c.oid = to_regclass('"AuditEvent"')`,
    )
    const row = rows[0]
    if (!row) throw new Error('The audit trail table is missing: migrate the database first')
    return { role: row.role, canAlterAuditTrail: row.superuser || row.owner }
  })
}

export class AppRoleError extends Error {}

/** Grants the app's role (DATABASE_URL's) its privileges, as the owner; returns the role's name. */
export async function grantAppRole(owner: DatabaseConfig, app: DatabaseConfig): Promise<string> {
  const status = await appRoleStatus(app)
  if (status.canAlterAuditTrail) {
    throw new AppRoleError(
      `DATABASE_URL connects as "${status.role}", which owns the tables (or is a superuser or a member of their owner), so it could disable the audit ` +
        'triggers: give the app a role of its own and keep the owner for PARALLAX_MIGRATION_DATABASE_URL (README "PostgreSQL roles").',
    )
  }
  await withClient(owner, async (client) => {
    await client.query('BEGIN')
    try {
      for (const statement of appRoleGrantStatements(status.role)) await client.query(statement)
      await client.query('COMMIT')
    } catch (error) {
      await client.query('ROLLBACK')
      throw error
    }
  })
  return status.role
}
