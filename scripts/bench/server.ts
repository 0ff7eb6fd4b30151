// The production server for the bench: `scripts/start.ts` in demo mode (migrations, demo seed, then
// `next start`) on a free port, with its database, secrets and audit key in a scratch
// folder. Builds first when there is no production build.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { freePort } from '../../tests/support/free-port'

export const root = path.resolve(import.meta.dirname, '../..')

export interface BenchServer {
  baseURL: string
  stop: () => void
}

export function ensureProductionBuild(): void {
  if (!existsSync(path.join(root, '.next/BUILD_ID'))) {
    console.log('[bench] no production build: building…')
    execFileSync(process.execPath, [path.join(root, 'node_modules/next/dist/bin/next'), 'build', '--webpack'], { cwd: root, stdio: 'inherit' })
  }
}

/** `databaseUrl` defaults to a SQLite file in the scratch folder. */
export async function startServer(options: { databaseUrl?: string; label?: string } = {}): Promise<BenchServer> {
  ensureProductionBuild()
  const port = await freePort()
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'parallax-bench-'))
  const server: ChildProcess = spawn(process.execPath, ['--conditions=react-server', '--import', 'tsx', path.join(root, 'scripts/start.ts')], {
    cwd: root,
    env: {
      ...process.env,
      PORT: String(port),
      DATABASE_URL: options.databaseUrl ?? `file:${scratch}/bench.db`,
      PARALLAX_SECRETS_FILE: `${scratch}/secrets.json`,
      PARALLAX_AUDIT_KEY_FILE: `${scratch}/audit-signing-key.pem`,
      PARALLAX_AUDIT_WITNESS_DIR: `${scratch}/audit-witness`,
      // The bench signs in with the demo accounts.
      PARALLAX_DEMO: '1',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  let exited: string | null = null
  server.once('exit', (code, signal) => (exited = `exited with ${signal ?? `code ${code}`}`))
  const stop = () => {
    if (exited === null) server.kill('SIGTERM')
    rmSync(scratch, { recursive: true, force: true })
  }
  const baseURL = `http://localhost:${port}`
  try {
    for (let attempt = 0; ; attempt += 1) {
      if (exited !== null) throw new Error(`the server${options.label ? ` (${options.label})` : ''} ${exited} before it answered /api/health (its stderr is above)`)
      try {
        if ((await fetch(`${baseURL}/api/health`)).ok) break
      } catch {
        if (attempt > 240) throw new Error(`the server${options.label ? ` (${options.label})` : ''} did not start within 2 minutes`)
      }
      await new Promise((resolve) => setTimeout(resolve, 500))
    }
  } catch (error) {
    stop()
    throw error
  }
  return { baseURL, stop }
}
