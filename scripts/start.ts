// Starts the production server: migrates and seeds the database first, then Next.js behind
// scripts/serve.ts (which decides the client address, see there).
// Honours PORT (default 3000) and DATABASE_URL (default: embedded SQLite in .data/).
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import path from 'node:path'
import { setupDatabase } from '../lib/users/setup.server'
import { getDb } from '../lib/db/client.server'
import { getSecrets } from '../lib/config/secrets.server'
import { seedBundledModelFiles } from '../lib/inference/add-model.server'
import { seedDemoStudies } from '../lib/synthetic/demo-studies.server'
import { createAuditCheckpoints } from '../lib/audit/checkpoints.server'
import { SignInConfigError, signInMethodsFrom } from '../lib/auth/oidc-config'

const sharedDataDir = path.resolve(process.env.PARALLAX_DATA_DIR ?? '../shared/data')

const root = path.resolve(import.meta.dirname, '..')
const port = process.env.PORT ?? '3000'
if (!existsSync(path.join(root, '.next/BUILD_ID'))) {
  console.error('No production build found: run `npm run build` first (or `npm run demo`, which builds and starts).')
  process.exit(1)
}
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
const report = await setupDatabase({ seedDemo: process.env.PARALLAX_SEED_DEMO !== '0' })
if (process.env.PARALLAX_SEED_DEMO !== '0') {
  const models = await seedBundledModelFiles(getDb(), sharedDataDir)
  if (models.length) console.log(`[models] added from ${sharedDataDir}: ${models.join(', ')}`)
  const demos = seedDemoStudies()
  if (demos.length) console.log(`[demo] wrote synthetic studies: ${demos.join(', ')}`)
}
await getDb().$disconnect()
console.log(
  `[db] ${report.provider}: ${report.appliedMigrations.length ? `applied ${report.appliedMigrations.length} migration(s)` : 'up to date'}` +
    (report.seededAccounts.length ? `; demo accounts: ${report.seededAccounts.join(', ')} (passwords in README)` : ''),
)

// Signed audit checkpoints: one now, then periodically while the server runs.
const checkpointMinutes = Number(process.env.PARALLAX_CHECKPOINT_MINUTES ?? 15)
const signCheckpoints = () =>
  createAuditCheckpoints(getDb()).then(
    (written) => written.length && console.log(`[audit] signed checkpoint(s) up to seq ${written.at(-1)!.toSeq}`),
    (error: unknown) => console.error('[audit] could not sign a checkpoint', error),
  )
await signCheckpoints()
setInterval(signCheckpoints, checkpointMinutes * 60_000).unref()

const env = { ...process.env, NODE_ENV: 'production' as const, PORT: port, NEXTAUTH_URL: process.env.NEXTAUTH_URL ?? `http://localhost:${port}` }
const next = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'scripts/serve.ts')], { cwd: root, env, stdio: 'inherit' })
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => next.kill(signal))
next.on('exit', (code) => process.exit(code ?? 0))
