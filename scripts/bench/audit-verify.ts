// Audit-trail verification rate: a scratch database migrated as the server does, filled
// with N chained audit events (bulk inserts with correctly computed hashes, not N calls to
// appendAudit), signed checkpoints every 10,000 events, then verifyAuditTrail timed against
// baselines measured in the same run on the same rows: the same queries without any check
// (read-only), and the checks alone in memory (hashing; checkpoint signatures and roots).
import { createHash } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { GENESIS_HASH, hashEvent, type ChainedEvent, type ChainedFields } from '../../lib/audit/chain'
import { canonicalJson } from '../../lib/audit/canonical-json'
import { checkpointProblem, type Checkpoint } from '../../lib/audit/checkpoint'
import { createAuditCheckpoints, MAX_CHECKPOINT_EVENTS, verifyAuditTrail } from '../../lib/audit/checkpoints.server'
import { codeAuditEvent, type AuditEventInput } from '../../lib/audit/events'
import { localPublicKey } from '../../lib/audit/signing-key.server'
import { DirectoryWitness } from '../../lib/audit/witness.server'
import { createDatabase, type Db } from '../../lib/db/client.server'
import { resolveDatabaseConfig, type DatabaseConfig } from '../../lib/db/config'
import { applyMigrations } from '../../lib/db/migrate.server'

/** verifyAuditChain's page size (its default, which verifyAuditTrail uses). */
export const VERIFY_PAGE_SIZE = 5000

export interface AuditVerifyResult {
  provider: string
  events: number
  checkpoints: number
  runs: number
  fillMs: number
  checkpointMs: number
  /** Medians over the runs. */
  verifyMs: number
  readOnlyMs: number
  hashOnlyMs: number
  checkpointChecksOnlyMs: number
}

// The events a busy reading room writes: sign-ins, studies opened, AI runs, decisions.
const hex = (seed: string) => createHash('sha256').update(seed).digest('hex')
const actors = Array.from({ length: 12 }, (_, index) => ({ id: `user${index.toString().padStart(20, '0')}`, username: `reader${index}`, role: 'radiologist' }))
const model = { id: 'lesion-seg-2d', version: '1.0.0', sha256: hex('model') }

function sampleEvent(seq: number): AuditEventInput {
  switch (seq % 4) {
    case 0:
      return { type: 'login', username: actors[seq % actors.length]!.username }
    case 1:
      return {
        type: 'study-opened',
        source: 'local',
        studyUidHash: hex(`study${seq >> 6}`),
        seriesUidHashes: [hex(`series${seq >> 6}a`), hex(`series${seq >> 6}b`)],
        instanceCount: 120 + (seq % 200),
      }
    case 2:
      return { type: 'inference-run', model, seriesUidHash: hex(`series${seq >> 6}a`), executionProvider: 'wasm', durationMs: 800 + (seq % 900), outcome: 'success' }
    default: {
      const read = { id: `read${(seq >> 4).toString(36).padStart(20, '0')}`, studyUidHash: hex(`study${seq >> 6}`), version: 1 }
      return { type: 'finding-accepted', finding: { id: `finding${seq.toString(36).padStart(18, '0')}`, read, label: 'Lung nodule', origin: 'ai', modelId: model.id } }
    }
  }
}

function eventFields(seq: number, start: number): ChainedFields {
  const event = sampleEvent(seq)
  const coding = codeAuditEvent(event)
  const actor = actors[seq % actors.length]!
  return {
    seq,
    occurredAt: new Date(start + seq * 997),
    eventType: event.type,
    eventCode: coding.eventCode,
    eventTypeCode: coding.eventTypeCode,
    action: coding.action,
    outcome: coding.outcome,
    actorId: actor.id,
    actorName: actor.username,
    actorRole: actor.role,
    sourceIp: `10.0.${(seq >> 8) & 255}.${seq & 255}`,
    entities: canonicalJson(coding.entities),
    details: canonicalJson(coding.details),
  }
}

const chainedColumns = [
  'seq',
  'occurredAt',
  'eventType',
  'eventCode',
  'eventTypeCode',
  'action',
  'outcome',
  'actorId',
  'actorName',
  'actorRole',
  'sourceIp',
  'entities',
  'details',
  'prevHash',
  'hash',
] as const

/**
 * Inserts `total` chained events from seq 1, `perTransaction` rows per transaction, as
 * multi-row INSERTs through the Prisma client's own driver adapter (so values, dates
 * included, are stored exactly as the app stores them). Prisma's createMany is ~20 times
 * slower here, and 100,000 appendAudit calls slower still.
 */
async function fillChain(db: Db, provider: DatabaseConfig['provider'], total: number, perTransaction = 5000, perStatement = 1000): Promise<void> {
  const start = Date.UTC(2026, 0, 1)
  const columnList = chainedColumns.map((column) => `"${column}"`).join(', ')
  const placeholders = (rows: number) =>
    Array.from(
      { length: rows },
      (_, row) => `(${chainedColumns.map((_, column) => (provider === 'sqlite' ? '?' : `$${row * chainedColumns.length + column + 1}`)).join(', ')})`,
    ).join(', ')
  const statements = new Map<number, string>()
  let prevHash = GENESIS_HASH
  for (let from = 1; from <= total; from += perTransaction) {
    const rows: ChainedEvent[] = []
    for (let seq = from; seq < Math.min(from + perTransaction, total + 1); seq += 1) {
      const fields = eventFields(seq, start)
      const hash = hashEvent(prevHash, fields)
      rows.push({ ...fields, prevHash, hash })
      prevHash = hash
    }
    await db.$transaction(
      async (tx) => {
        for (let offset = 0; offset < rows.length; offset += perStatement) {
          const chunk = rows.slice(offset, offset + perStatement)
          let sql = statements.get(chunk.length)
          if (!sql) statements.set(chunk.length, (sql = `INSERT INTO "AuditEvent" (${columnList}) VALUES ${placeholders(chunk.length)}`))
          await tx.$executeRawUnsafe(sql, ...chunk.flatMap((row) => chainedColumns.map((column) => row[column])))
        }
      },
      { timeout: 120_000, maxWait: 30_000 },
    )
  }
}

/** Every query verifyAuditTrail makes, with no check on what comes back. */
async function readOnly(
  db: Db,
): Promise<{ events: ChainedEvent[]; checkpointRows: Awaited<ReturnType<Db['auditCheckpoint']['findMany']>>; ranges: { seq: number; hash: string }[][] }> {
  const events: ChainedEvent[] = []
  let after = 0
  for (;;) {
    const page = await db.auditEvent.findMany({ where: { seq: { gt: after } }, orderBy: { seq: 'asc' }, take: VERIFY_PAGE_SIZE })
    for (const event of page) events.push(event)
    if (page.length < VERIFY_PAGE_SIZE) break
    after = page[page.length - 1]!.seq
  }
  const checkpointRows = await db.auditCheckpoint.findMany({ orderBy: { fromSeq: 'asc' } })
  const ranges: { seq: number; hash: string }[][] = []
  for (const row of checkpointRows) {
    ranges.push(await db.auditEvent.findMany({ where: { seq: { gte: row.fromSeq, lte: row.toSeq } }, orderBy: { seq: 'asc' }, select: { seq: true, hash: true } }))
  }
  return { events, checkpointRows, ranges }
}

const elapsed = async <T>(run: () => Promise<T> | T): Promise<{ ms: number; value: T }> => {
  const started = performance.now()
  const value = await run()
  return { ms: performance.now() - started, value }
}

const medianOf = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!

/**
 * Runs the whole measurement on one database URL (an empty database: SQLite file path or a
 * fresh PostgreSQL database). The audit signing key must already point at a scratch file.
 */
export async function measureAuditVerify(databaseUrl: string, options: { events?: number; runs?: number } = {}): Promise<AuditVerifyResult> {
  const total = options.events ?? 100_000
  const runs = options.runs ?? 3
  const config: DatabaseConfig = resolveDatabaseConfig(databaseUrl)
  await applyMigrations(config)
  const { db } = createDatabase(config)
  // A witness of its own per database: the checkpoints of one are not those of another.
  const witnessDir = mkdtempSync(path.join(os.tmpdir(), 'parallax-bench-witness-'))
  const witness = new DirectoryWitness(witnessDir)
  try {
    if ((await db.auditEvent.count()) !== 0) throw new Error(`the audit bench needs an empty database, ${config.provider} has events already`)
    const fill = await elapsed(() => fillChain(db, config.provider, total))
    const signing = await elapsed(() => createAuditCheckpoints(db, new Date(Date.UTC(2026, 0, 2)), witness))
    const expectedCheckpoints = Math.ceil(total / MAX_CHECKPOINT_EVENTS)
    if (signing.value.length !== expectedCheckpoints) throw new Error(`expected ${expectedCheckpoints} checkpoints, ${signing.value.length} were signed`)
    const publicKey = localPublicKey()!

    // Warm-up (connections, JIT), and a check that the trail really verifies.
    const warm = await verifyAuditTrail(db, witness)
    if (!warm.ok) throw new Error(`verifyAuditTrail failed on the generated trail (${config.provider}): ${warm.message} at seq ${warm.firstBadSeq}`)
    if (warm.count !== total || warm.checkpoints !== expectedCheckpoints)
      throw new Error(`verifyAuditTrail saw ${warm.count} events and ${warm.checkpoints} checkpoints, expected ${total} and ${expectedCheckpoints}`)

    const verifyMs: number[] = []
    const readMs: number[] = []
    const hashMs: number[] = []
    const checkpointMs: number[] = []
    for (let run = 0; run < runs; run += 1) {
      const verified = await elapsed(() => verifyAuditTrail(db, witness))
      if (!verified.value.ok) throw new Error(`verifyAuditTrail failed on run ${run + 1}: ${verified.value.message}`)
      verifyMs.push(verified.ms)
      const read = await elapsed(() => readOnly(db))
      if (read.value.events.length !== total) throw new Error(`the read-only pass read ${read.value.events.length} events, expected ${total}`)
      readMs.push(read.ms)
      const { events, checkpointRows, ranges } = read.value
      // Hashing alone: what ChainVerifier recomputes for each event, in memory.
      const hashed = await elapsed(() => {
        let prevHash = GENESIS_HASH
        for (const event of events) {
          if (hashEvent(prevHash, event) !== event.hash) throw new Error(`hash mismatch at seq ${event.seq} in the hashing baseline`)
          prevHash = event.hash
        }
      })
      hashMs.push(hashed.ms)
      // Checkpoint checks alone: signatures and Merkle roots over the ranges, in memory.
      const checked = await elapsed(() => {
        for (const [index, row] of checkpointRows.entries()) {
          const checkpoint: Checkpoint = {
            fromSeq: row.fromSeq,
            toSeq: row.toSeq,
            rootHash: row.rootHash,
            headHash: row.headHash,
            signedAt: row.signedAt.toISOString(),
            keyId: row.keyId,
            signature: row.signature,
          }
          const problem = checkpointProblem(checkpoint, ranges[index]!, total, publicKey)
          if (problem) throw new Error(`checkpoint baseline: ${problem.message}`)
        }
      })
      checkpointMs.push(checked.ms)
    }
    return {
      provider: config.provider,
      events: total,
      checkpoints: expectedCheckpoints,
      runs,
      fillMs: fill.ms,
      checkpointMs: signing.ms,
      verifyMs: medianOf(verifyMs),
      readOnlyMs: medianOf(readMs),
      hashOnlyMs: medianOf(hashMs),
      checkpointChecksOnlyMs: medianOf(checkpointMs),
    }
  } finally {
    await db.$disconnect()
    rmSync(witnessDir, { recursive: true, force: true })
  }
}

/** A scratch SQLite URL and the folder to remove afterwards. */
export function scratchSqlite(): { url: string; dispose: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'parallax-bench-audit-'))
  return { url: `file:${path.join(dir, 'audit.db')}`, dispose: () => rmSync(dir, { recursive: true, force: true }) }
}

/**
 * Points the audit signing key at a scratch file (before anything reads it: the key is
 * cached per process), so the bench never signs with a real key.
 */
export function useScratchAuditKey(): () => void {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'parallax-bench-key-'))
  process.env.PARALLAX_AUDIT_KEY_FILE = path.join(dir, 'audit-signing-key.pem')
  return () => rmSync(dir, { recursive: true, force: true })
}
