import { createPublicKey, type KeyObject } from 'node:crypto'
import { z } from 'zod'
import { canonicalJson } from './canonical-json'
import { checkpointSchema, checkpointSignatureValid, describeCheckpoint, type Checkpoint, type TrailFailure } from './checkpoint'

// The witness: every signed checkpoint is also written, once, outside the database, to a
// store that whoever owns the database cannot rewrite (a directory by default:
// witness.server.ts). Verification compares the database with it: it holds the number of
// checkpoints (which never falls), what each one signed, and the key that signed them,
// the first record's pinning the key when the configuration does not.

export const witnessRecordSchema = z
  .object({
    version: z.literal(1),
    /** 1 for the first checkpoint, and so on: the witness's own count. */
    index: z.number().int().min(1),
    checkpoint: checkpointSchema,
    /** The signing key's public half, base64 of its SPKI DER (as PARALLAX_AUDIT_PUBLIC_KEY takes it). */
    publicKey: z.string().min(1),
  })
  .strict()

export type WitnessRecord = z.infer<typeof witnessRecordSchema>

/** One record as stored: its index (from where it is stored, a file name) and its text. */
export interface WitnessEntry {
  index: number
  text: string
}

export function publicKeyText(key: KeyObject): string {
  return key.export({ type: 'spki', format: 'der' }).toString('base64')
}

/** An Ed25519 public key given as PEM or as base64 of its SPKI DER. */
export function parsePublicKey(text: string): KeyObject {
  const trimmed = text.trim()
  const key = trimmed.startsWith('-----BEGIN') ? createPublicKey(trimmed) : createPublicKey({ key: Buffer.from(trimmed, 'base64'), format: 'der', type: 'spki' })
  if (key.asymmetricKeyType !== 'ed25519') throw new Error(`not an Ed25519 public key (${key.asymmetricKeyType})`)
  return key
}

export function witnessEntry(index: number, checkpoint: Checkpoint, publicKey: KeyObject): WitnessEntry {
  const record: WitnessRecord = { version: 1, index, checkpoint, publicKey: publicKeyText(publicKey) }
  return { index, text: canonicalJson(record) + '\n' }
}

const damaged = (index: number, firstBadSeq: number, message: string): TrailFailure => ({
  ok: false,
  firstBadSeq,
  checkpoint: { index, of: index },
  problem: 'witness-damaged',
  message: `the audit witness is damaged at its checkpoint ${index}: ${message}`,
})

/** Parses the witness's records: numbered 1…n without a gap, covering the trail from seq 1. */
export function parseWitness(entries: readonly WitnessEntry[]): { records: WitnessRecord[]; problem: TrailFailure | null } {
  const records: WitnessRecord[] = []
  for (const entry of [...entries].sort((a, b) => a.index - b.index)) {
    const expected = records.length + 1
    const nextSeq = (records.at(-1)?.checkpoint.toSeq ?? 0) + 1
    if (entry.index !== expected) return { records, problem: damaged(expected, nextSeq, `checkpoint ${expected} is missing (the next one held is ${entry.index})`) }
    let json: unknown
    try {
      json = JSON.parse(entry.text)
    } catch {
      return { records, problem: damaged(expected, nextSeq, 'not JSON') }
    }
    const parsed = witnessRecordSchema.safeParse(json)
    if (!parsed.success) return { records, problem: damaged(expected, nextSeq, `not a witness record (${parsed.error.issues[0]?.message})`) }
    if (parsed.data.index !== entry.index) return { records, problem: damaged(expected, nextSeq, `it says it is checkpoint ${parsed.data.index}`) }
    try {
      parsePublicKey(parsed.data.publicKey)
    } catch {
      return { records, problem: damaged(expected, nextSeq, 'its public key is not an Ed25519 key') }
    }
    if (parsed.data.checkpoint.fromSeq !== nextSeq) return { records, problem: damaged(expected, nextSeq, `it starts at event ${parsed.data.checkpoint.fromSeq}, not ${nextSeq}`) }
    records.push(parsed.data)
  }
  return { records, problem: null }
}

const sameCheckpoint = (a: Checkpoint, b: Checkpoint) => canonicalJson(a) === canonicalJson(b)

/**
 * Compares the database's checkpoints (ascending fromSeq) with the witness's records, every
 * one of which must be signed by `pinned`: a record the database no longer has (deleted,
 * or the count fell with a truncated trail), one it holds otherwise (rewritten, re-signed).
 * Checkpoints the witness does not hold yet are left to `unwitnessedProblem`.
 */
export function witnessProblem(records: readonly WitnessRecord[], checkpoints: readonly Checkpoint[], pinned: KeyObject): TrailFailure | null {
  const total = records.length
  const byFromSeq = new Map(checkpoints.map((checkpoint) => [checkpoint.fromSeq, checkpoint]))
  for (const record of records) {
    const witnessed = record.checkpoint
    const position = { index: record.index, of: total }
    const named = describeCheckpoint(record.index, total, witnessed)
    if (!checkpointSignatureValid(witnessed, pinned)) {
      return { ok: false, firstBadSeq: witnessed.fromSeq, checkpoint: position, problem: 'key-mismatch', message: `the witness's ${named} is not signed by the pinned audit key` }
    }
    const stored = byFromSeq.get(witnessed.fromSeq)
    if (!stored) {
      return {
        ok: false,
        firstBadSeq: witnessed.fromSeq,
        checkpoint: position,
        problem: 'checkpoint-missing',
        message: `${named} is in the witness but not in the database, which holds ${checkpoints.length} checkpoint${checkpoints.length === 1 ? '' : 's'} to the witness's ${total} (deleted, or the trail truncated)`,
      }
    }
    if (!sameCheckpoint(stored, witnessed)) {
      const resigned = !checkpointSignatureValid(stored, pinned)
      return {
        ok: false,
        firstBadSeq: witnessed.fromSeq,
        checkpoint: position,
        problem: resigned ? 'bad-signature' : 'checkpoint-rewritten',
        message: resigned
          ? `${named} was replaced in the database by one not signed by the pinned audit key`
          : `${named} differs in the database from what the witness holds (rewritten)`,
      }
    }
  }
  return null
}

/** A checkpoint in the database that the witness does not hold (it must hold all of them). */
export function unwitnessedProblem(records: readonly WitnessRecord[], checkpoints: readonly Checkpoint[]): TrailFailure | null {
  const witnessed = new Set(records.map((record) => record.checkpoint.fromSeq))
  const index = checkpoints.findIndex((checkpoint) => !witnessed.has(checkpoint.fromSeq))
  if (index < 0) return null
  const checkpoint = checkpoints[index]!
  return {
    ok: false,
    firstBadSeq: checkpoint.fromSeq,
    checkpoint: { index: index + 1, of: checkpoints.length },
    problem: 'unwitnessed',
    message: `${describeCheckpoint(index + 1, checkpoints.length, checkpoint)} is not in the audit witness (the next signing adds it when its signature holds)`,
  }
}
