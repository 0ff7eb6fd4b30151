import { createHash, createPublicKey, sign, verify, type KeyObject } from 'node:crypto'
import { canonicalJson } from './canonical-json'
import { ChainVerifier, type ChainedEvent, type ChainVerdict } from './chain'
import { merkleRoot } from './merkle'

// Signed checkpoints over the audit chain: periodically (and on demand) the events written
// since the last checkpoint are summarised by their RFC 6962 Merkle root, and the root is
// signed with an Ed25519 key kept outside the database. The hash chain already reveals an
// edited, deleted or reordered event; checkpoints add what a chain alone cannot: a chain
// truncated after a checkpoint, or rewritten wholesale with recomputed hashes, no longer
// matches what was signed.

export interface CheckpointBody {
  fromSeq: number
  toSeq: number
  /** RFC 6962 root over the event hashes fromSeq..toSeq, in order (hex). */
  rootHash: string
  /** The chain hash of event toSeq. */
  headHash: string
  signedAt: string
  /** SHA-256 of the signing public key (SPKI DER), hex. */
  keyId: string
}

export interface Checkpoint extends CheckpointBody {
  /** Ed25519 signature over canonicalJson(body), base64. */
  signature: string
}

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

export type TrailProblem = Extract<ChainVerdict, { ok: false }>['problem'] | 'bad-signature' | 'checkpoint-mismatch' | 'truncated'

export type TrailVerdict = { ok: true; events: number; checkpoints: number; headSeq: number } | { ok: false; firstBadSeq: number; problem: TrailProblem; message: string }

/** Checks one checkpoint against the stored events of its range (null when it holds). */
export function checkpointProblem(
  checkpoint: Checkpoint,
  range: readonly Pick<ChainedEvent, 'seq' | 'hash'>[],
  headSeq: number,
  publicKey: KeyObject,
): Extract<TrailVerdict, { ok: false }> | null {
  if (!checkpointSignatureValid(checkpoint, publicKey)) {
    return {
      ok: false,
      firstBadSeq: checkpoint.fromSeq,
      problem: 'bad-signature',
      message: `the checkpoint over events ${checkpoint.fromSeq}–${checkpoint.toSeq} is not signed by the audit key`,
    }
  }
  if (checkpoint.toSeq > headSeq) {
    const first = Math.max(headSeq + 1, checkpoint.fromSeq)
    return { ok: false, firstBadSeq: first, problem: 'truncated', message: `events from ${first} to ${checkpoint.toSeq} were signed in a checkpoint but are gone` }
  }
  const contiguous = range.length === checkpoint.toSeq - checkpoint.fromSeq + 1 && range.every((event, offset) => event.seq === checkpoint.fromSeq + offset)
  if (!contiguous || merkleRoot(range.map(leafOf)) !== checkpoint.rootHash || range.at(-1)!.hash !== checkpoint.headHash) {
    return {
      ok: false,
      firstBadSeq: checkpoint.fromSeq,
      problem: 'checkpoint-mismatch',
      message: `events ${checkpoint.fromSeq}–${checkpoint.toSeq} differ from what the checkpoint signed (rewritten with new hashes?)`,
    }
  }
  return null
}

/**
 * Verifies a whole trail held in memory: the hash chain event by event, then every
 * checkpoint's signature and root against the stored events. Names the first bad seq.
 */
export function verifyTrail(events: readonly ChainedEvent[], checkpoints: readonly Checkpoint[], publicKey: KeyObject): TrailVerdict {
  const chain = new ChainVerifier()
  for (const event of events) if (!chain.push(event)) break
  const verdict = chain.verdict()
  if (!verdict.ok) return { ok: false, firstBadSeq: verdict.firstBadSeq, problem: verdict.problem, message: verdict.message }
  for (const checkpoint of [...checkpoints].sort((a, b) => a.fromSeq - b.fromSeq)) {
    const range = events.filter((event) => event.seq >= checkpoint.fromSeq && event.seq <= checkpoint.toSeq)
    const problem = checkpointProblem(checkpoint, range, verdict.headSeq, publicKey)
    if (problem) return problem
  }
  return { ok: true, events: verdict.count, checkpoints: checkpoints.length, headSeq: verdict.headSeq }
}
