// Starts the production server: migrates the database first (and in demo mode,
// PARALLAX_DEMO=1, seeds the demo accounts, studies and bundled model files), then Next.js
// behind scripts/serve.ts (which decides the client address, see there). Outside demo mode it refuses to start while an account has a password
// published in the README, and once checkpoints exist, without the audit signing key.
// Honours PORT (default 3000) and DATABASE_URL (default: embedded SQLite in .data/).
// Several instances may run on one PostgreSQL database (README "Several instances"): they
// set up one at a time, and one of them at a time, the leader, signs the periodic checkpoints.
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import path from 'node:path'
import { demoModeEnabled, PublishedPasswordError, refusePublishedPasswords, setupDatabase } from '../lib/users/setup.server'
import { getDatabase, getDb } from '../lib/db/client.server'
import { advisoryLeadership, advisoryLockKeys, withAdvisoryLock } from '../lib/db/advisory-lock.server'
import { AppRoleError, appRoleStatus } from '../lib/db/app-role.server'
import { getSecrets } from '../lib/config/secrets.server'
import { recoverModelStore, seedBundledModelFiles } from '../lib/inference/add-model.server'
import { seedDemoStudies } from '../lib/synthetic/demo-studies.server'
import { createAuditCheckpoints } from '../lib/audit/checkpoints.server'
import { AuditKeyError, auditKeyFile, auditSigningKey } from '../lib/audit/signing-key.server'
import { publicKeyText } from '../lib/audit/witness'
import { auditWitness } from '../lib/audit/witness.server'
import { SignInConfigError, signInMethodsFrom } from '../lib/auth/oidc-config'

const sharedDataDir = path.resolve(process.env.PARALLAX_DATA_DIR ?? '../shared/data')

const root = path.resolve(import.meta.dirname, '..')
const port = process.env.PORT ?? '3000'
if (!existsSync(path.join(root, '.next/BUILD_ID'))) {
  console.error('No production build found: run `npm run build` first (or `npm run demo`, which builds and starts).')
  process.exit(1)
}
const demo = demoModeEnabled()
getSecrets()
// A sign-in misconfiguration (PARALLAX_OIDC_*, PARALLAX_LOCAL_LOGIN) stops the start, not the first request.
try {
  const { oidc, localLogin } = signInMethodsFrom(process.env)
  if (oidc) console.log(`[auth] single sign-on through ${oidc.issuer} ("${oidc.name}")${localLogin ? '' : '; local passwords off'}`)
} catch (error) {
  if (!(error instanceof SignInConfigError)) throw error
  console.error(`[auth] ${error.message}`)
  process.exit(1)
}

/** Refusals print their own message and stop the start; anything else is a crash. */
function refuseOn(error: unknown): never {
  if (error instanceof PublishedPasswordError || error instanceof AuditKeyError || error instanceof AppRoleError) {
    console.error(`[start] ${error.message}`)
    process.exit(1)
  }
  throw error
}

// Instances starting together migrate, recover the model store and seed one at a time.
async function prepare(): Promise<void> {
  const report = await setupDatabase({ demo })
  const db = getDb()
  const { config } = getDatabase()
  const roleNote = report.appRole ? `; the app runs as role "${report.appRole}"` : ''
  console.log(
    `[db] ${report.provider}: ${report.appliedMigrations.length ? `applied ${report.appliedMigrations.length} migration(s)` : 'up to date'}${roleNote}` +
      (report.seededAccounts.length ? `; demo accounts: ${report.seededAccounts.join(', ')} (passwords in README)` : ''),
  )
  // A model file and its audit event are one unit: finish or undo what a crash left half done.
  const recovered = await recoverModelStore(db)
  if (recovered.completed.length || recovered.removed.length) {
    console.log(`[models] after an interrupted registration: completed ${recovered.completed.join(', ') || 'none'}; removed ${recovered.removed.join(', ') || 'none'}`)
  }
  if (demo) {
    const models = await seedBundledModelFiles(db, sharedDataDir)
    if (models.length) console.log(`[models] added from ${sharedDataDir}: ${models.join(', ')}`)
    const demos = seedDemoStudies()
    if (demos.length) console.log(`[demo] wrote synthetic studies: ${demos.join(', ')}`)
  } else {
    await refusePublishedPasswords(db)
    if ((await db.user.count()) === 0) console.log('[users] no accounts yet: create the first administrator with `npm run users:create-admin -- <username>`')
  }
  if (config.provider === 'postgresql' && !report.appRole && (await appRoleStatus(config)).canAlterAuditTrail) {
    console.warn(
      '[db] warning: the app connects as the role that owns the tables (or a superuser), so whoever holds DATABASE_URL can disable the audit triggers. ' +
        'Run migrations as the owner (PARALLAX_MIGRATION_DATABASE_URL) and give the app a role of its own (README "PostgreSQL roles").',
    )
  }
  const key = await auditSigningKey(db, await auditWitness().entries())
  if (key.generated) console.log(`[audit] generated the checkpoint signing key ${auditKeyFile()}; its public key (PARALLAX_AUDIT_PUBLIC_KEY): ${publicKeyText(key.publicKey)}`)
}
try {
  await withAdvisoryLock(getDb(), advisoryLockKeys.migrations, prepare)
} catch (error) {
  refuseOn(error)
}
await getDb().$disconnect()

// Signed audit checkpoints: one now, then periodically while the server runs, by the one
// instance that leads (on SQLite, this one); another takes over within a period when it
// stops. A signing key that disappears stops the server rather than leaving the trail
// unsigned unnoticed.
const checkpointMinutes = Number(process.env.PARALLAX_CHECKPOINT_MINUTES ?? 15)
let next: ReturnType<typeof spawn> | undefined
const leadership = advisoryLeadership(getDatabase().config, advisoryLockKeys.checkpointLeader)
let leading: boolean | undefined
const signCheckpoints = async () => {
  const leads = await leadership.check()
  if (leads !== leading && getDatabase().config.provider === 'postgresql') {
    console.log(leads ? '[audit] this instance now signs the periodic checkpoints (leader)' : '[audit] another instance signs the periodic checkpoints')
  }
  leading = leads
  if (!leads) return
  await createAuditCheckpoints(getDb()).then(
    (written) => written.length && console.log(`[audit] signed checkpoint(s) up to seq ${written.at(-1)!.toSeq}`),
    (error: unknown) => {
      console.error('[audit] could not sign a checkpoint:', error instanceof Error ? error.message : error)
      if (error instanceof AuditKeyError) {
        next?.kill('SIGTERM')
        process.exit(1)
      }
    },
  )
}
await signCheckpoints()
setInterval(signCheckpoints, checkpointMinutes * 60_000).unref()

const env = { ...process.env, NODE_ENV: 'production' as const, PORT: port, NEXTAUTH_URL: process.env.NEXTAUTH_URL ?? `http://localhost:${port}` }
next = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'scripts/serve.ts')], { cwd: root, env, stdio: 'inherit' })
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => next?.kill(signal))
next.on('exit', (code) => process.exit(code ?? 0))
