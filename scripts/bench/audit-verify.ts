// Audit-trail verification rate: a scratch database migrated as the server does, filled
// with N chained audit events (bulk inserts with correctly computed hashes, not N calls to
// appendAudit), signed checkpoints every 10,000 events, then verifyAuditTrail timed against
// baselines measured in the same run on the same rows: the same queries by the same raw
// path without any check (read-only), and the checks alone in memory (hashing; checkpoint
// signatures and roots). Then the trail grows to the audit page's size (1,000,000 events)
// and the page's server work (quickVerifyAuditTrail and the newest events) is timed against
// the listing alone and a full verification of the same trail.
import { createHash } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { ChainVerifier, GENESIS_HASH, hashEvent, type CanonicalRow, type ChainedEvent, type ChainedFields, type ChainStart } from '../../lib/audit/chain'
import { canonicalJson } from '../../lib/audit/canonical-json'
import { checkpointProblem, type Checkpoint } from '../../lib/audit/checkpoint'
import { openChainReader } from '../../lib/audit/chain-reader.server'
import { createAuditCheckpoints, MAX_CHECKPOINT_EVENTS, quickVerifyAuditTrail, verifyAuditTrail } from '../../lib/audit/checkpoints.server'
import { listAuditEvents } from '../../lib/audit/queries.server'
import { defaultRanges, rangeAnchors, readChain } from '../../lib/audit/verify.server'
import { codeAuditEvent, type AuditEventInput } from '../../lib/audit/events'
import { localPublicKey } from '../../lib/audit/signing-key.server'
import { DirectoryWitness } from '../../lib/audit/witness.server'
import { createDatabase, databaseConfigOf, type Db } from '../../lib/db/client.server'
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
  /** How many seq ranges verifyAuditTrail read at once. */
  ranges: number
  readOnlyMs: number
  /** The earlier read, sequential keyset pages of canonical rows (readChain's, still the fallback and the quick check's). */
  pagedReadMs: number
  hashOnlyMs: number
  checkpointChecksOnlyMs: number
  /** The audit page's server work on the larger trail (null when BENCH_AUDIT_PAGE_EVENTS=0). */
  page: AuditPageResult | null
}

export interface AuditPageResult {
  events: number
  growMs: number
  /** Medians: quickVerifyAuditTrail + the newest 50 events, as the page runs them; the listing alone. */
  pageMs: number
  listOnlyMs: number
  /** One full verifyAuditTrail of the same trail. */
  fullVerifyMs: number
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
async function fillChain(
  db: Db,
  provider: DatabaseConfig['provider'],
  total: number,
  after: ChainStart = { seq: 0, hash: GENESIS_HASH },
  perTransaction = 5000,
  perStatement = 1000,
): Promise<ChainStart> {
  const start = Date.UTC(2026, 0, 1)
  const columnList = chainedColumns.map((column) => `"${column}"`).join(', ')
  const placeholders = (rows: number) =>
    Array.from(
      { length: rows },
      (_, row) => `(${chainedColumns.map((_, column) => (provider === 'sqlite' ? '?' : `$${row * chainedColumns.length + column + 1}`)).join(', ')})`,
    ).join(', ')
  const statements = new Map<number, string>()
  let prevHash = after.hash
  for (let from = after.seq + 1; from <= total; from += perTransaction) {
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
  return { seq: Math.max(total, after.seq), hash: prevHash }
}

/**
 * Every read verifyAuditTrail makes, by the same path, with no check on what comes back: the
 * checkpoints, the witness, the chain's seq ranges scanned at once through the same raw
 * driver readers (one connection each), each row only counted.
 */
async function readOnly(db: Db, witness: DirectoryWitness): Promise<{ rows: number; ranges: number; checkpointRows: Awaited<ReturnType<Db['auditCheckpoint']['findMany']>> }> {
  const checkpointRows = await db.auditCheckpoint.findMany({ orderBy: { fromSeq: 'asc' } })
  await witness.entries()
  const config = databaseConfigOf(db)
  const first = await openChainReader(config)
  const readers = [first]
  let rows = 0
  try {
    const { ranges, minRangeEvents } = defaultRanges(config.provider)
    const anchors = rangeAnchors(await first.maxSeq(), ranges, minRangeEvents)
    while (readers.length < anchors.length) readers.push(await openChainReader(config))
    await Promise.all(
      readers.map((reader, index) =>
        reader.scan(anchors[index]! + 1, index === anchors.length - 1 ? null : anchors[index + 1]!, () => {
          rows += 1
        }),
      ),
    )
    return { rows, ranges: anchors.length, checkpointRows }
  } finally {
    await Promise.all(readers.map((reader) => reader.close()))
  }
}

/** The earlier read: keyset pages in seq order, the next asked for before one is taken (readChain's paging). */
async function pagedRead(db: Db): Promise<CanonicalRow[]> {
  const events: CanonicalRow[] = []
  const reader = await openChainReader(databaseConfigOf(db))
  let pending: Promise<CanonicalRow[]> | null = reader.page(0, VERIFY_PAGE_SIZE)
  try {
    while (pending) {
      const page: CanonicalRow[] = await pending
      pending = page.length < VERIFY_PAGE_SIZE ? null : reader.page(page[page.length - 1]!.seq, VERIFY_PAGE_SIZE)
      for (const event of page) events.push(event)
    }
  } finally {
    await reader.close()
  }
  return events
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
export async function measureAuditVerify(databaseUrl: string, options: { events?: number; runs?: number; pageEvents?: number } = {}): Promise<AuditVerifyResult> {
  const total = options.events ?? 100_000
  const pageEvents = options.pageEvents ?? 1_000_000
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

    // Warm-up (connections, JIT), and a check that the trail really verifies, every event by
    // the text the database writes (none recomputed from its columns).
    const pass = await readChain(db)
    if (!pass.verdict.ok || pass.rechecked !== 0)
      throw new Error(`readChain on the generated trail (${config.provider}): ${JSON.stringify(pass.verdict)}, ${pass.rechecked} recomputed`)
    const warm = await verifyAuditTrail(db, witness)
    if (!warm.ok) throw new Error(`verifyAuditTrail failed on the generated trail (${config.provider}): ${warm.message} at seq ${warm.firstBadSeq}`)
    if (warm.count !== total || warm.checkpoints !== expectedCheckpoints)
      throw new Error(`verifyAuditTrail saw ${warm.count} events and ${warm.checkpoints} checkpoints, expected ${total} and ${expectedCheckpoints}`)

    const verifyMs: number[] = []
    const readMs: number[] = []
    const pagedMs: number[] = []
    let ranges = 0
    const hashMs: number[] = []
    const checkpointMs: number[] = []
    for (let run = 0; run < runs; run += 1) {
      const verified = await elapsed(() => verifyAuditTrail(db, witness))
      if (!verified.value.ok) throw new Error(`verifyAuditTrail failed on run ${run + 1}: ${verified.value.message}`)
      verifyMs.push(verified.ms)
      const read = await elapsed(() => readOnly(db, witness))
      if (read.value.rows !== total) throw new Error(`the read-only pass read ${read.value.rows} events, expected ${total}`)
      readMs.push(read.ms)
      ranges = read.value.ranges
      const { checkpointRows } = read.value
      const paged = await elapsed(() => pagedRead(db))
      if (paged.value.length !== total) throw new Error(`the paged read read ${paged.value.length} events, expected ${total}`)
      pagedMs.push(paged.ms)
      const events = paged.value
      // The checks on those rows alone, in memory: what ChainVerifier does with each.
      const hashed = await elapsed(() => {
        const verifier = new ChainVerifier()
        for (const row of events) if (verifier.pushCanonical(row) !== true) throw new Error(`seq ${row.seq} did not verify in the hashing baseline`)
      })
      hashMs.push(hashed.ms)
      // Checkpoint checks alone, as verifyAuditTrail makes them: signatures, each against its range's stored head, in memory.
      const checked = await elapsed(() => {
        for (const row of checkpointRows) {
          const checkpoint: Checkpoint = {
            fromSeq: row.fromSeq,
            toSeq: row.toSeq,
            rootHash: row.rootHash,
            headHash: row.headHash,
            signedAt: row.signedAt.toISOString(),
            keyId: row.keyId,
            signature: row.signature,
          }
          const problem = checkpointProblem(checkpoint, { kind: 'head', headHash: events[checkpoint.toSeq - 1]?.hash }, total, publicKey)
          if (problem) throw new Error(`checkpoint baseline: ${problem.message}`)
        }
      })
      checkpointMs.push(checked.ms)
    }
    const page = pageEvents > total ? await measureAuditPage(db, witness, total, pageEvents, runs, config.provider) : null
    return {
      provider: config.provider,
      events: total,
      checkpoints: expectedCheckpoints,
      runs,
      fillMs: fill.ms,
      checkpointMs: signing.ms,
      verifyMs: medianOf(verifyMs),
      ranges,
      readOnlyMs: medianOf(readMs),
      pagedReadMs: medianOf(pagedMs),
      hashOnlyMs: medianOf(hashMs),
      checkpointChecksOnlyMs: medianOf(checkpointMs),
      page,
    }
  } finally {
    await db.$disconnect()
    rmSync(witnessDir, { recursive: true, force: true })
  }
}

/**
 * Grows the verified trail to `pageEvents`, signs it as the server would, and times the
 * audit page's server work: quickVerifyAuditTrail beside the newest 50 events (the page
 * runs both at once), against the listing alone and one full verification.
 */
async function measureAuditPage(db: Db, witness: DirectoryWitness, from: number, pageEvents: number, runs: number, provider: DatabaseConfig['provider']): Promise<AuditPageResult> {
  const head = await db.auditEvent.findFirst({ where: { seq: from }, select: { seq: true, hash: true } })
  const grow = await elapsed(async () => {
    await fillChain(db, provider, pageEvents, head!)
    await createAuditCheckpoints(db, new Date(Date.UTC(2026, 0, 3)), witness)
  })
  // Events after the last checkpoint, as between two of the server's 15-minute signings.
  await fillChain(db, provider, pageEvents + 2000, { seq: pageEvents, hash: (await db.auditEvent.findFirst({ where: { seq: pageEvents }, select: { hash: true } }))!.hash })
  const total = pageEvents + 2000
  const warm = await quickVerifyAuditTrail(db, witness)
  if (!warm.ok || warm.headSeq !== total) throw new Error(`quickVerifyAuditTrail on the ${provider} page trail: ${JSON.stringify(warm)}`)
  const pageMs: number[] = []
  const listMs: number[] = []
  for (let run = 0; run < runs; run += 1) {
    pageMs.push((await elapsed(() => Promise.all([quickVerifyAuditTrail(db, witness), listAuditEvents(db, { limit: 50 })]))).ms)
    listMs.push((await elapsed(() => listAuditEvents(db, { limit: 50 }))).ms)
  }
  const full = await elapsed(() => verifyAuditTrail(db, witness))
  if (!full.value.ok || full.value.count !== total) throw new Error(`verifyAuditTrail on the ${provider} page trail: ${JSON.stringify(full.value)}`)
  return { events: total, growMs: grow.ms, pageMs: medianOf(pageMs), listOnlyMs: medianOf(listMs), fullVerifyMs: full.ms }
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
