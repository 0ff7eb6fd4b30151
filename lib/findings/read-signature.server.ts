import 'server-only'
import { sign, verify, type KeyObject } from 'node:crypto'
import { canonicalJson } from '../audit/canonical-json'
import { keyIdOf } from '../audit/checkpoint'
import { configuredPublicKey, localPublicKey, type AuditKeyPair } from '../audit/signing-key.server'
import { pinnedKeyOf } from '../audit/trail'
import { parseWitness } from '../audit/witness'
import { auditWitness } from '../audit/witness.server'
import type { SignatureMeaning, SignatureProblem } from './types'

// The server's signature over a read signature (21 CFR 11.70): the statement "this signer,
// at this time, with this meaning, signed the content with this hash" signed with Ed25519.
// The key is the audit signing key (signing-key.server.ts): the one key kept outside the
// database whose file, pinning and backup the audit trail already depends on; a second key
// would sit beside it and guard the same boundary. The statement starts with its own
// domain prefix, so it can never be read as a checkpoint (those sign bare JSON) or the
// other way round. Whoever can rewrite the database can recompute a content hash, but not
// this signature, and not the read-signed audit event the chain and its checkpoints hold.
// Signatures are checked with the key checkpoints are checked with (the pinned one), so
// verifying needs no private key.

export interface SignedManifest {
  signerId: string
  printedName: string
  meaning: SignatureMeaning
  signedAt: string
}

const statementDomain = 'parallax-read-signature-v1\n'

function statement(readId: string, contentHash: string, manifest: SignedManifest): Buffer {
  return Buffer.from(statementDomain + canonicalJson({ readId, contentHash, ...manifest }))
}

/** Signs with the audit key pair (`auditSigningKey`, checked against the pinned key). */
export function signReadStatement(
  { privateKey, publicKey }: AuditKeyPair,
  readId: string,
  contentHash: string,
  manifest: SignedManifest,
): { serverSignature: string; keyId: string } {
  return { serverSignature: sign(null, statement(readId, contentHash, manifest), privateKey).toString('base64'), keyId: keyIdOf(publicKey) }
}

// The witness's first record is written once and never rewritten: its key is read once per
// process and witness, not with every read shown.
const witnessedKeys = new Map<string, string>()

async function firstWitnessedKey(): Promise<string | undefined> {
  const witness = auditWitness()
  const known = witnessedKeys.get(witness.location)
  if (known) return known
  const first = parseWitness(await witness.entries()).records[0]?.publicKey
  if (first) witnessedKeys.set(witness.location, first)
  return first
}

/**
 * The key read signatures are verified with, as checkpoints are (pinnedKeyOf):
 * PARALLAX_AUDIT_PUBLIC_KEY, else the witness's first record's key, else the public half of
 * the key file this process holds; null when there is none of them.
 */
export async function readSignatureKey(): Promise<KeyObject | null> {
  const configuredKey = configuredPublicKey()
  if (configuredKey) return configuredKey
  return pinnedKeyOf({ witness: [], configuredKey, localKey: localPublicKey() }, await firstWitnessedKey())
}

/** The stored signature row, as far as verification needs it. */
export interface StoredSignature extends SignedManifest {
  contentHash: string
  serverSignature: string | null
  keyId: string | null
}

/** The audit event a signature row points at (by seq). */
export interface SignedEvent {
  eventType: string
  actorId: string | null
  entities: string
  details: string
}

function eventMatches(event: SignedEvent | null, readId: string, signature: StoredSignature): boolean {
  if (!event || event.eventType !== 'read-signed' || event.actorId !== signature.signerId) return false
  try {
    const entities = JSON.parse(event.entities) as { type?: unknown; id?: unknown }[]
    const details = JSON.parse(event.details) as { contentHash?: unknown; meaning?: unknown }
    return entities.some((entity) => entity.type === 'read' && entity.id === readId) && details.contentHash === signature.contentHash && details.meaning === signature.meaning
  } catch {
    // Stored events are canonical JSON; anything else was written around the application.
    return false
  }
}

/**
 * Why a stored signature does not hold, or null: the content no longer hashes to the signed
 * value, the row carries no server signature, there is no key to check it with, the
 * server's signature does not verify with the pinned key, or the read-signed audit event
 * does not say the same.
 */
export function signatureProblem(
  readId: string,
  currentContentHash: string,
  signature: StoredSignature,
  event: SignedEvent | null,
  publicKey: KeyObject | null,
): SignatureProblem | null {
  if (currentContentHash !== signature.contentHash) return 'content-changed'
  if (!signature.serverSignature || !signature.keyId) return 'not-server-signed'
  if (!publicKey) return 'no-public-key'
  const { signerId, printedName, meaning, signedAt } = signature
  const manifest = { signerId, printedName, meaning, signedAt }
  if (signature.keyId !== keyIdOf(publicKey) || !verify(null, statement(readId, signature.contentHash, manifest), publicKey, Buffer.from(signature.serverSignature, 'base64'))) {
    return 'bad-signature'
  }
  if (!eventMatches(event, readId, signature)) return 'audit-mismatch'
  return null
}
