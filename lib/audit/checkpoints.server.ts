import 'server-only'
import type { KeyObject } from 'node:crypto'
import { advisoryLockKeys, withAdvisoryLock } from '../db/advisory-lock.server'
import type { Db } from '../db/client.server'
import { checkpointSignatureValid, coverageProblem, createCheckpoint, describeCheckpoint, type Checkpoint, type TrailFailure } from './checkpoint'
import type { ChainVerdict } from './chain'
import { auditSigningKey, configuredPublicKey, localPublicKey } from './signing-key.server'
import { checkpointedTrailProblem } from './trail'
import { readChain, readWholeChain, storedHashes, type RangeOptions } from './verify.server'
import { parseWitness, witnessEntry, witnessProblem, type WitnessEntry } from './witness'
import { auditWitness, WitnessConflictError, type AuditWitness } from './witness.server'

// Checkpoints in the database, each also written to the witness outside it: created
// periodically by the server process and on demand, each covering the events written since
// the previous one (at most `maxEvents`, so a checkpoint's range always fits in memory
// when it is verified). On PostgreSQL one signer at a time, whichever instance or CLI it
// is (an advisory lock): two would each read the same witness and race to extend it.

export const MAX_CHECKPOINT_EVENTS = 10_000

function toCheckpoint(row: { fromSeq: number; toSeq: number; rootHash: string; headHash: string; signedAt: Date; keyId: string; signature: string }): Checkpoint {
  return {
    fromSeq: row.fromSeq,
    toSeq: row.toSeq,
    rootHash: row.rootHash,
    headHash: row.headHash,
    signedAt: row.signedAt.toISOString(),
    keyId: row.keyId,
    signature: row.signature,
  }
}

const storedCheckpoints = async (db: Db) => (await db.auditCheckpoint.findMany({ orderBy: { fromSeq: 'asc' } })).map(toCheckpoint)

/**
 * Before signing more: the witness must hold the database's checkpoints as a prefix, and
 * gets those it lacks (a process that stopped between the database and the witness, or a
 * trail from before the witness), each only if the key signed it. Anything else is
 * tampering, and nothing more is signed over it.
 */
async function catchUpWitness(db: Db, witness: AuditWitness, entries: readonly WitnessEntry[], publicKey: KeyObject): Promise<void> {
  const { records, problem } = parseWitness(entries)
  const stored = await storedCheckpoints(db)
  const refusal = problem ?? witnessProblem(records, stored, publicKey) ?? coverageProblem(stored)
  if (refusal) throw new WitnessConflictError(`Not signing audit checkpoints: ${refusal.message} (see npm run audit:verify)`)
  for (const [offset, checkpoint] of stored.entries()) {
    if (offset < records.length) continue
    if (!checkpointSignatureValid(checkpoint, publicKey)) {
      throw new WitnessConflictError(`Not signing audit checkpoints: ${describeCheckpoint(offset + 1, stored.length, checkpoint)} is not signed by the audit key`)
    }
    await witness.append(witnessEntry(offset + 1, checkpoint, publicKey))
  }
}

/** Signs checkpoints over every event not yet covered; returns those written (none when up to date). */
export function createAuditCheckpoints(db: Db, now = new Date(), witness: AuditWitness = auditWitness()): Promise<Checkpoint[]> {
  return withAdvisoryLock(db, advisoryLockKeys.checkpoints, () => signUncovered(db, now, witness))
}

async function signUncovered(db: Db, now: Date, witness: AuditWitness): Promise<Checkpoint[]> {
  const entries = await witness.entries()
  const { privateKey, publicKey } = await auditSigningKey(db, entries)
  await catchUpWitness(db, witness, entries, publicKey)
  const written: Checkpoint[] = []
  for (;;) {
    const last = await db.auditCheckpoint.findFirst({ orderBy: { toSeq: 'desc' } })
    const events = await db.auditEvent.findMany({
      where: { seq: { gt: last?.toSeq ?? 0 } },
      orderBy: { seq: 'asc' },
      take: MAX_CHECKPOINT_EVENTS,
      select: { seq: true, hash: true },
    })
    if (events.length === 0) return written
    const checkpoint = createCheckpoint(events, privateKey, now)
    try {
      const { signedAt, ...rest } = checkpoint
      await db.auditCheckpoint.create({ data: { ...rest, signedAt: new Date(signedAt) } })
    } catch (error) {
      // Another process signed the same range first (fromSeq is unique): theirs stands.
      if ((error as { code?: string }).code === 'P2002') return written
      throw error
    }
    const index = await db.auditCheckpoint.count({ where: { fromSeq: { lte: checkpoint.fromSeq } } })
    await witness.append(witnessEntry(index, checkpoint, publicKey))
    written.push(checkpoint)
    if (events.length < MAX_CHECKPOINT_EVENTS) return written
  }
}

export type AuditTrailVerdict = (Extract<ChainVerdict, { ok: true }> & { checkpoints: number }) | (TrailFailure & { count: number })

/** A full verification that passed, as this process remembers it for the audit page. */
export interface FullVerification {
  at: Date
  headSeq: number
  count: number
}

// On globalThis: the page, the verify route and the CLI may each hold a copy of this module.
const globalForVerifications = globalThis as unknown as { parallaxFullVerifications?: WeakMap<Db, FullVerification> }
const fullVerifications = (globalForVerifications.parallaxFullVerifications ??= new WeakMap<Db, FullVerification>())

/** The last full verification of `db` that passed in this process, if any. */
export const lastFullVerification = (db: Db): FullVerification | null => fullVerifications.get(db) ?? null

/**
 * The chain in one pass (readWholeChain: several seq ranges at once where that is faster),
 * then the checkpoints against the witness and the pinned key: the witness's every checkpoint still in the database unchanged, contiguous coverage from
 * seq 1, every signature, and none the witness lacks. Each checkpoint is held against the
 * stored hash of its last event: once every link up to it is recomputed, that hash commits
 * to every event of its range (SHA-256), so a range that matches its signed head has the
 * signed root too, and rewritten or truncated ranges still fail. The checkpoints are read
 * first, so one signed meanwhile is not taken for events gone.
 */
export async function verifyAuditTrail(db: Db, witness: AuditWitness = auditWitness(), ranges: RangeOptions = {}): Promise<AuditTrailVerdict> {
  const checkpoints = await storedCheckpoints(db)
  const { verdict: chain, heads } = await readWholeChain(db, { ...ranges, heads: checkpoints.map((checkpoint) => checkpoint.toSeq) })
  if (!chain.ok) return chain
  const root = { witness: await witness.entries(), configuredKey: configuredPublicKey(), localKey: localPublicKey() }
  const rangeOf = (checkpoint: Checkpoint) => ({ kind: 'head' as const, headHash: heads.get(checkpoint.toSeq) })
  const failure = await checkpointedTrailProblem({ headSeq: chain.headSeq, checkpoints, rangeOf }, root)
  if (failure) return { ...failure, count: chain.count }
  fullVerifications.set(db, { at: new Date(), headSeq: chain.headSeq, count: chain.count })
  return { ...chain, checkpoints: checkpoints.length }
}

export type QuickTrailVerdict = AuditTrailVerdict & {
  /** The first seq whose hash was recomputed; those before it are vouched for by the checkpoints' signatures and heads. */
  recomputedFrom: number
  lastFull: FullVerification | null
}

/**
 * The audit page's check, in time that does not grow with the trail: every checkpoint
 * against the witness, the pinned key and the stored hash of its last event as in
 * verifyAuditTrail, but the chain recomputed only from the last checkpoint's head on. An
 * event edited inside a signed range without its stored hash (which then no longer
 * commits to it) is found by verifyAuditTrail alone (`npm run audit:verify`, the page's
 * full check).
 */
export async function quickVerifyAuditTrail(db: Db, witness: AuditWitness = auditWitness()): Promise<QuickTrailVerdict> {
  const checkpoints = await storedCheckpoints(db)
  const last = checkpoints.at(-1)
  const start = last ? { seq: last.toSeq, hash: last.headHash } : undefined
  const [{ verdict: chain }, heads, newest] = await Promise.all([
    readChain(db, { start }),
    storedHashes(
      db,
      checkpoints.map((checkpoint) => checkpoint.toSeq),
    ),
    db.auditEvent.findFirst({ orderBy: { seq: 'desc' }, select: { seq: true } }),
  ])
  const scope = { recomputedFrom: (start?.seq ?? 0) + 1, lastFull: lastFullVerification(db) }
  // A trail cut short before the last checkpoint's head reads as an empty tail: the stored head says so.
  const headSeq = chain.ok ? Math.min(chain.headSeq, newest?.seq ?? 0) : 0
  if (!chain.ok) return { ...chain, ...scope }
  const root = { witness: await witness.entries(), configuredKey: configuredPublicKey(), localKey: localPublicKey() }
  const rangeOf = (checkpoint: Checkpoint) => ({ kind: 'head' as const, headHash: heads.get(checkpoint.toSeq) })
  const failure = await checkpointedTrailProblem({ headSeq, checkpoints, rangeOf }, root)
  const count = headSeq
  if (failure) return { ...failure, count, ...scope }
  return { ok: true, count, headSeq, headHash: chain.headHash, checkpoints: checkpoints.length, ...scope }
}
