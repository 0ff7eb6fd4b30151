// kill -9 during concurrent writes, again and again: each cycle starts the writer
// (writer-server.ts, the app's services on the database under test), checks that every
// write acknowledged so far is there and that the audit chain verifies, sends concurrent
// writes (audit events, and reads with their audit events) while recording each
// acknowledgement, and SIGKILLs the writer at a random moment mid-stream. A write counts
// as acknowledged only once its HTTP answer has arrived, which the writer sends after the
// commit; a write the kill interrupted may or may not be there, and either is correct.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Db } from '../../lib/db/client.server'
import type { DatabaseProvider } from '../../lib/db/config'

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')

export interface KillCycleOptions {
  databaseUrl: string
  cycles: number
  /** Writes in flight at once. */
  concurrency?: number
  /** The kill comes this many milliseconds after the first acknowledgement, at random in [min, max). */
  killAfterMs?: [number, number]
  onCycle?: (cycle: number, report: KillCycleReport) => void
  /** Makes the writer answer audit writes before they commit, to see the check fail. */
  ackBeforeCommit?: boolean
}

export interface KillCycleReport {
  provider: DatabaseProvider
  cycles: number
  acknowledgedAudits: number
  acknowledgedReads: number
  /** Acknowledged writes not found after a restart (must be none). */
  lost: string[]
  /** Restarts after which the audit chain did not verify (must be none). */
  chainFailures: string[]
  /** Writes the writer answered with an error (not acknowledged), and the first few answers. */
  refused: number
  refusals: string[]
  /** Audit events in the trail at the end, acknowledged or not. */
  auditEvents: number
  durationMs: number
}

interface Acknowledgement {
  kind: 'audit' | 'read'
  token: string
  /** The audit seq, or the read id. */
  value: string
}

function startWriter(env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; port: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--conditions=react-server', '--import', 'tsx', 'scripts/crash/writer-server.ts'], {
      cwd: projectRoot,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`the writer did not start: ${output}`))
    }, 60_000)
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString()
      const ready = /ready (\d+)/.exec(output)
      if (ready) {
        clearTimeout(timer)
        resolve({ child, port: Number(ready[1]) })
      }
    })
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`the writer exited (${code}) before it was ready: ${output}`))
    })
  })
}

async function verify(db: Db, verifyChain: (db: Db) => Promise<{ ok: boolean }>, acknowledged: Acknowledgement[], cycle: number, report: KillCycleReport): Promise<void> {
  const verdict = await verifyChain(db)
  if (!verdict.ok) report.chainFailures.push(`after restart ${cycle}: ${JSON.stringify(verdict)}`)
  const events = await db.auditEvent.findMany({ select: { seq: true, eventType: true, entities: true } })
  const bySeq = new Map(events.map((event) => [event.seq, event]))
  const openedReads = new Set(
    events
      .filter((event) => event.eventType === 'read-opened')
      .flatMap((event) => (JSON.parse(event.entities) as { type: string; id: string }[]).filter((entity) => entity.type === 'read').map((entity) => entity.id)),
  )
  const reads = new Set((await db.read.findMany({ select: { id: true } })).map((read) => read.id))
  for (const ack of acknowledged) {
    if (ack.kind === 'audit') {
      const event = bySeq.get(Number(ack.value))
      const resource = event ? (JSON.parse(event.entities) as { id: string }[])[0]?.id : undefined
      if (resource !== `/crash/${ack.token}`) report.lost.push(`audit ${ack.token} (seq ${ack.value}) after restart ${cycle}`)
    } else if (!reads.has(ack.value) || !openedReads.has(ack.value)) {
      report.lost.push(`read ${ack.value} (${ack.token}) after restart ${cycle}`)
    }
  }
  report.auditEvents = events.length
}

export async function runKillCycles(options: KillCycleOptions): Promise<KillCycleReport> {
  const started = performance.now()
  const secrets = mkdtempSync(path.join(os.tmpdir(), 'parallax-crash-'))
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: options.databaseUrl,
    PARALLAX_AUDIT_KEY_FILE: path.join(secrets, 'audit-key.pem'),
    PARALLAX_SECRETS_FILE: path.join(secrets, 'secrets.json'),
    PARALLAX_CRASH_ACK_EARLY: options.ackBeforeCommit ? '1' : '0',
  }
  // The modules read these on first use, here as in the writer.
  Object.assign(process.env, { DATABASE_URL: env.DATABASE_URL, PARALLAX_AUDIT_KEY_FILE: env.PARALLAX_AUDIT_KEY_FILE, PARALLAX_SECRETS_FILE: env.PARALLAX_SECRETS_FILE })
  const { createDatabase } = await import('../../lib/db/client.server')
  const { resolveDatabaseConfig } = await import('../../lib/db/config')
  const { applyMigrations } = await import('../../lib/db/migrate.server')
  const { createUser } = await import('../../lib/users/users.server')
  const { verifyAuditChain } = await import('../../lib/audit/verify.server')

  const config = resolveDatabaseConfig(options.databaseUrl)
  await applyMigrations(config)
  const { db } = createDatabase(config)
  const reader = await createUser(
    db,
    { username: `crash-${Date.now().toString(36)}`, displayName: 'Crash Reader', role: 'radiologist', password: 'crash cycle reader password' },
    null,
  )
  env.PARALLAX_CRASH_READER = JSON.stringify({ id: reader.id, username: reader.username, displayName: reader.displayName, role: reader.role })

  const report: KillCycleReport = {
    provider: config.provider,
    cycles: 0,
    acknowledgedAudits: 0,
    acknowledgedReads: 0,
    lost: [],
    chainFailures: [],
    refused: 0,
    refusals: [],
    auditEvents: 0,
    durationMs: 0,
  }
  const acknowledged: Acknowledgement[] = []
  const concurrency = options.concurrency ?? 8
  const [killMin, killMax] = options.killAfterMs ?? [20, 600]
  let nextToken = 1
  let writer = await startWriter(env)
  try {
    for (let cycle = 1; cycle <= options.cycles; cycle++) {
      await verify(db, verifyAuditChain, acknowledged, cycle - 1, report)
      const { child, port } = writer
      const exited = new Promise((resolve) => child.once('exit', resolve))
      let alive = true
      let firstAcknowledged: () => void = () => {}
      const flowing = new Promise<void>((resolve) => (firstAcknowledged = resolve))
      const lane = async (lane: number) => {
        while (alive) {
          const token = String(nextToken++)
          const kind = (Number(token) + lane) % 2 === 0 ? 'audit' : 'read'
          let response: Response
          let text: string
          try {
            response = await fetch(`http://127.0.0.1:${port}/${kind}/${token}`, { method: 'POST' })
            text = await response.text()
          } catch {
            // Killed mid-request (or the answer lost): not acknowledged.
            return
          }
          if (!response.ok) {
            report.refused += 1
            if (report.refusals.length < 10) report.refusals.push(`${kind} ${token}: ${response.status} ${text.slice(0, 300)}`)
            continue
          }
          const body = JSON.parse(text) as { seq?: number; readId?: string }
          acknowledged.push({ kind, token, value: String(kind === 'audit' ? body.seq : body.readId) })
          firstAcknowledged()
          if (kind === 'audit') report.acknowledgedAudits += 1
          else report.acknowledgedReads += 1
        }
      }
      const lanes = Array.from({ length: concurrency }, (_, index) => lane(index))
      // The kill comes at a random moment once writes are being acknowledged.
      await Promise.race([flowing, new Promise((resolve) => setTimeout(resolve, 30_000))])
      await new Promise((resolve) => setTimeout(resolve, killMin + Math.random() * (killMax - killMin)))
      child.kill('SIGKILL')
      alive = false
      await exited
      await Promise.all(lanes)
      report.cycles = cycle
      writer = await startWriter(env)
      options.onCycle?.(cycle, report)
    }
    await verify(db, verifyAuditChain, acknowledged, options.cycles, report)
  } finally {
    writer.child.kill('SIGKILL')
    await db.$disconnect()
    rmSync(secrets, { recursive: true, force: true })
  }
  report.durationMs = performance.now() - started
  return report
}

export function describeReport(report: KillCycleReport): string {
  return (
    `${report.provider}: ${report.cycles} kill -9 cycles in ${(report.durationMs / 1000).toFixed(0)} s; ` +
    `${report.acknowledgedAudits} audit events and ${report.acknowledgedReads} reads acknowledged, ${report.lost.length} lost, ${report.refused} refused; ` +
    `chain verified after every restart: ${report.chainFailures.length === 0 ? 'yes' : `no (${report.chainFailures.length} failures)`}; ${report.auditEvents} events in the trail`
  )
}
