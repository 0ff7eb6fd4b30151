// One production app instance (scripts/start.ts on the production build) for the
// several-instances test and bench: its own port, the environment it is given, its output
// kept for messages. It runs in a process group of its own, so killing it kills
// start.ts and the Next server it spawned together, as a machine or container dying would.
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import path from 'node:path'

const root = path.resolve(import.meta.dirname, '../..')

export function hasProductionBuild(): boolean {
  return existsSync(path.join(root, '.next/BUILD_ID'))
}

export interface AppInstance {
  readonly name: string
  readonly port: number
  readonly url: string
  /** Everything it printed so far. */
  output(): string
  /** Starts it (again) and waits until /api/health answers. */
  start(): Promise<void>
  /** SIGKILL to the whole group: no graceful stop. */
  kill(): Promise<void>
  /** SIGTERM, as a deployment stops it. */
  stop(): Promise<void>
}

export function appInstance(name: string, port: number, env: Record<string, string>): AppInstance {
  let child: ChildProcess | null = null
  let exited: Promise<void> = Promise.resolve()
  let log = ''
  const url = `http://127.0.0.1:${port}`

  const signal = async (kind: 'SIGKILL' | 'SIGTERM') => {
    if (!child || child.exitCode !== null || child.signalCode !== null) return
    try {
      process.kill(-child.pid!, kind)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error
    }
    await exited
    child = null
  }

  return {
    name,
    port,
    url,
    output: () => log,
    async start() {
      const started = spawn(process.execPath, ['--conditions=react-server', '--import', 'tsx', path.join(root, 'scripts/start.ts')], {
        cwd: root,
        env: { ...process.env, ...env, PORT: String(port) },
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      })
      child = started
      exited = new Promise((resolve) => started.once('exit', () => resolve()))
      const keep = (chunk: Buffer) => (log += chunk.toString().replace(/^/gm, `[${name}] `))
      started.stdout!.on('data', keep)
      started.stderr!.on('data', keep)
      for (let attempt = 0; ; attempt++) {
        if (started.exitCode !== null) throw new Error(`instance ${name} exited with code ${started.exitCode} before it answered:\n${log}`)
        const ok = await fetch(`${url}/api/health`).then(
          (answer) => answer.ok,
          () => false,
        )
        if (ok) return
        if (attempt > 600) throw new Error(`instance ${name} did not answer within 2 minutes:\n${log}`)
        await new Promise((resolve) => setTimeout(resolve, 200))
      }
    },
    kill: () => signal('SIGKILL'),
    stop: () => signal('SIGTERM'),
  }
}
