import type { KeyObject } from 'node:crypto'
import { ChainVerifier, type ChainedEvent } from './chain'
import { checkpointProblem, coverageProblem, summariseRange, type Checkpoint, type RangeSummary, type TrailFailure, type TrailVerdict } from './checkpoint'
import { parsePublicKey, parseWitness, publicKeyText, unwitnessedProblem, witnessProblem, type WitnessEntry } from './witness'

// What the database's checkpoints must satisfy once its chain verifies, in the order that
// names the most telling problem first: the witness is whole; the key is the pinned one;
// every checkpoint the witness holds is in the database unchanged; the database's
// checkpoints cover the chain from seq 1 without a gap, each signed by the pinned key over
// the events still stored; and the witness holds every one of them.

export interface TrustRoot {
  /** The witness's records as stored. */
  witness: readonly WitnessEntry[]
  /** PARALLAX_AUDIT_PUBLIC_KEY, when configured. */
  configuredKey: KeyObject | null
  /** The signing key's public half where this process holds the key (used before the witness pins one). */
  localKey: KeyObject | null
}

export interface CheckpointedTrail {
  /** The head of the chain, which has verified. */
  headSeq: number
  /** The database's checkpoints, ascending fromSeq. */
  checkpoints: readonly Checkpoint[]
  /** The stored events of a checkpoint's range, summarised. */
  rangeOf(checkpoint: Checkpoint): RangeSummary | Promise<RangeSummary>
}

/** The key verification trusts: configured, else the witness's first record's, else the local key's. */
export function pinnedKeyOf(root: TrustRoot, firstRecordKey: string | undefined): KeyObject | null {
  return root.configuredKey ?? (firstRecordKey ? parsePublicKey(firstRecordKey) : null) ?? root.localKey
}

export async function checkpointedTrailProblem(trail: CheckpointedTrail, root: TrustRoot): Promise<TrailFailure | null> {
  const { records, problem } = parseWitness(root.witness)
  if (problem) return problem
  const first = records[0]
  if (root.configuredKey && first && first.publicKey !== publicKeyText(root.configuredKey)) {
    return {
      ok: false,
      firstBadSeq: 1,
      checkpoint: { index: 1, of: records.length },
      problem: 'key-mismatch',
      message: "the witness's first checkpoint was signed with another key than PARALLAX_AUDIT_PUBLIC_KEY pins",
    }
  }
  const pinned = pinnedKeyOf(root, first?.publicKey)
  if (!pinned) {
    if (trail.checkpoints.length === 0) return null
    return { ok: false, firstBadSeq: 1, problem: 'no-public-key', message: 'there are signed checkpoints but no public key to check them with (PARALLAX_AUDIT_PUBLIC_KEY)' }
  }
  const found = witnessProblem(records, trail.checkpoints, pinned) ?? coverageProblem(trail.checkpoints)
  if (found) return found
  for (const [offset, checkpoint] of trail.checkpoints.entries()) {
    const failure = checkpointProblem(checkpoint, await trail.rangeOf(checkpoint), trail.headSeq, pinned, { index: offset + 1, of: trail.checkpoints.length })
    if (failure) return failure
  }
  return unwitnessedProblem(records, trail.checkpoints)
}

/** A whole trail held in memory: the chain, then its checkpoints against the trust root. */
export async function verifyTrail(events: readonly ChainedEvent[], checkpoints: readonly Checkpoint[], root: TrustRoot): Promise<TrailVerdict> {
  const chain = new ChainVerifier()
  for (const event of events) if (!chain.push(event)) break
  const verdict = chain.verdict()
  if (!verdict.ok) return { ok: false, firstBadSeq: verdict.firstBadSeq, problem: verdict.problem, message: verdict.message }
  const sorted = [...checkpoints].sort((a, b) => a.fromSeq - b.fromSeq)
  const rangeOf = (checkpoint: Checkpoint) =>
    summariseRange(
      checkpoint,
      events.filter((event) => event.seq >= checkpoint.fromSeq && event.seq <= checkpoint.toSeq),
    )
  const failure = await checkpointedTrailProblem({ headSeq: verdict.headSeq, checkpoints: sorted, rangeOf }, root)
  return failure ?? { ok: true, events: verdict.count, checkpoints: checkpoints.length, headSeq: verdict.headSeq }
}
