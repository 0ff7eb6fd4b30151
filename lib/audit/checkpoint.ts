import { createHash, createPublicKey, sign, verify, type KeyObject } from 'node:crypto'
import { canonicalJson } from './canonical-json'
import type { ChainedEvent, ChainVerdict } from './chain'
import { merkleRoot } from './merkle'
import { z } from 'zod'

// Signed checkpoints over the audit chain: periodically (and on demand) the events written
// since the last checkpoint are summarised by their RFC 6962 Merkle root, and the root is
// signed with an Ed25519 key kept outside the database. The hash chain already reveals an
// edited, deleted or reordered event; checkpoints add what a chain alone cannot: a chain
// truncated after a checkpoint, or rewritten wholesale with recomputed hashes, no longer
// matches what was signed; the witness (witness.ts) keeps the checkpoints themselves out of
// the database owner's reach.

export const checkpointSchema = z.object({
  fromSeq: z.number().int().min(1),
  toSeq: z.number().int().min(1),
  /** RFC 6962 root over the event hashes fromSeq..toSeq, in order (hex). */
  rootHash: z.string().regex(/^[0-9a-f]{64}$/),
  /** The chain hash of event toSeq. */
  headHash: z.string().regex(/^[0-9a-f]{64}$/),
  signedAt: z.iso.datetime(),
  /** SHA-256 of the signing public key (SPKI DER), hex. */
  keyId: z.string().regex(/^[0-9a-f]{64}$/),
  /** Ed25519 signature over canonicalJson(body), base64. */
  signature: z.string().min(1),
})

export type Checkpoint = z.infer<typeof checkpointSchema>
export type CheckpointBody = Omit<Checkpoint, 'signature'>

export function keyIdOf(publicKey: KeyObject): string {
  return createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex')
}

const leafOf = (event: Pick<ChainedEvent, 'hash'>) => Buffer.from(event.hash, 'hex')

/** Signs a checkpoint over `events` (contiguous, ascending seq). */
export function createCheckpoint(events: readonly Pick<ChainedEvent, 'seq' | 'hash'>[], privateKey: KeyObject, signedAt: Date): Checkpoint {
  const first = events[0]
  const last = events.at(-1)
  if (!first || !last) throw new Error('A checkpoint needs at least one event')
  const body: CheckpointBody = {
    fromSeq: first.seq,
    toSeq: last.seq,
    rootHash: merkleRoot(events.map(leafOf)),
    headHash: last.hash,
    signedAt: signedAt.toISOString(),
    keyId: keyIdOf(createPublicKey(privateKey)),
  }
  return { ...body, signature: sign(null, Buffer.from(canonicalJson(body)), privateKey).toString('base64') }
}

export function checkpointSignatureValid(checkpoint: Checkpoint, publicKey: KeyObject): boolean {
  const { signature, ...body } = checkpoint
  return keyIdOf(publicKey) === checkpoint.keyId && verify(null, Buffer.from(canonicalJson(body)), publicKey, Buffer.from(signature, 'base64'))
}

export type TrailProblem =
  | Extract<ChainVerdict, { ok: false }>['problem']
  | 'bad-signature'
  | 'checkpoint-mismatch'
  | 'truncated'
  | 'coverage-gap'
  | 'checkpoint-missing'
  | 'checkpoint-rewritten'
  | 'unwitnessed'
  | 'witness-damaged'
  | 'key-mismatch'
  | 'no-public-key'

/**
 * A trail that does not verify: the first seq that is no longer vouched for and, for a
 * checkpoint's problem, which one ("checkpoint 4 of 4": of the witness's or the database's).
 */
export interface TrailFailure {
  ok: false
  firstBadSeq: number
  checkpoint?: { index: number; of: number }
  problem: TrailProblem
  message: string
}

export type TrailVerdict = { ok: true; events: number; checkpoints: number; headSeq: number } | TrailFailure

export const describeCheckpoint = (index: number, of: number, checkpoint: Pick<Checkpoint, 'fromSeq' | 'toSeq'>) =>
  `checkpoint ${index} of ${of} (events ${checkpoint.fromSeq}–${checkpoint.toSeq})`

/**
 * Checks that the checkpoints (ascending fromSeq) cover the chain from seq 1 without a gap
 * or overlap; events after the last one are simply not signed yet.
 */
export function coverageProblem(checkpoints: readonly Checkpoint[]): TrailFailure | null {
  let expected = 1
  for (const [offset, checkpoint] of checkpoints.entries()) {
    if (checkpoint.fromSeq !== expected || checkpoint.toSeq < checkpoint.fromSeq) {
      return {
        ok: false,
        firstBadSeq: expected,
        checkpoint: { index: offset + 1, of: checkpoints.length },
        problem: 'coverage-gap',
        message: `${describeCheckpoint(offset + 1, checkpoints.length, checkpoint)} should start at event ${expected}: the checkpoints do not cover the trail from seq 1 without a gap`,
      }
    }
    expected = checkpoint.toSeq + 1
  }
  return null
}

/**
 * A checkpoint's range of stored events as its checks need it. 'read': the whole range
 * (whether it is exactly fromSeq..toSeq, its Merkle root and its last hash), for a trail
 * held in memory. 'head': the stored hash of toSeq alone, which commits to the whole range
 * where the chain up to it was recomputed (verifyAuditTrail), and vouches for it by the
 * signature alone where it was not (the audit page's quick check, which says so).
 */
export type RangeSummary = { kind: 'read'; contiguous: boolean; rootHash: string; headHash: string | undefined } | { kind: 'head'; headHash: string | undefined }

export function summariseRange(checkpoint: Pick<Checkpoint, 'fromSeq' | 'toSeq'>, range: readonly Pick<ChainedEvent, 'seq' | 'hash'>[]): RangeSummary {
  return {
    kind: 'read',
    contiguous: range.length === checkpoint.toSeq - checkpoint.fromSeq + 1 && range.every((event, offset) => event.seq === checkpoint.fromSeq + offset),
    rootHash: merkleRoot(range.map(leafOf)),
    headHash: range.at(-1)?.hash,
  }
}

/** Checks one checkpoint against its range of stored events (null when it holds). */
export function checkpointProblem(
  checkpoint: Checkpoint,
  range: RangeSummary,
  headSeq: number,
  publicKey: KeyObject,
  position: { index: number; of: number } = { index: 1, of: 1 },
): TrailFailure | null {
  const named = describeCheckpoint(position.index, position.of, checkpoint)
  if (!checkpointSignatureValid(checkpoint, publicKey)) {
    return { ok: false, firstBadSeq: checkpoint.fromSeq, checkpoint: position, problem: 'bad-signature', message: `${named} is not signed by the pinned audit key` }
  }
  if (checkpoint.toSeq > headSeq) {
    const first = Math.max(headSeq + 1, checkpoint.fromSeq)
    return {
      ok: false,
      firstBadSeq: first,
      checkpoint: position,
      problem: 'truncated',
      message: `events from ${first} to ${checkpoint.toSeq} were signed in ${named} but are gone`,
    }
  }
  const rangeDiffers = range.kind === 'read' && (!range.contiguous || range.rootHash !== checkpoint.rootHash)
  if (rangeDiffers || range.headHash !== checkpoint.headHash) {
    return {
      ok: false,
      firstBadSeq: checkpoint.fromSeq,
      checkpoint: position,
      problem: 'checkpoint-mismatch',
      message: `the events of ${named} differ from what it signed (rewritten with new hashes?)`,
    }
  }
  return null
}
