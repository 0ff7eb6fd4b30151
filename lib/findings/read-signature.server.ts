import 'server-only'
import { sign, verify } from 'node:crypto'
import { canonicalJson } from '../audit/canonical-json'
import { keyIdOf } from '../audit/checkpoint'
import { auditSigningKey } from '../audit/signing-key.server'
import type { SignatureMeaning, SignatureProblem } from './types'

// The server's signature over a read signature (21 CFR 11.70): the statement "this signer,
// at this time, with this meaning, signed the content with this hash" signed with Ed25519.
// The key is the audit signing key (signing-key.server.ts): the one key kept outside the
// database whose file, pinning and backup the audit trail already depends on; a second key
// would sit beside it and guard the same boundary. The statement starts with its own
// domain prefix, so it can never be read as a checkpoint (those sign bare JSON) or the
// other way round. Whoever can rewrite the database can recompute a content hash, but not
// this signature, and not the read-signed audit event the chain and its checkpoints hold.

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

export function signReadStatement(readId: string, contentHash: string, manifest: SignedManifest): { serverSignature: string; keyId: string } {
  const { privateKey, publicKey } = auditSigningKey()
  return { serverSignature: sign(null, statement(readId, contentHash, manifest), privateKey).toString('base64'), keyId: keyIdOf(publicKey) }
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
 * value, the row carries no server signature, the server's signature does not verify with
 * its key, or the read-signed audit event does not say the same.
 */
export function signatureProblem(readId: string, currentContentHash: string, signature: StoredSignature, event: SignedEvent | null): SignatureProblem | null {
  if (currentContentHash !== signature.contentHash) return 'content-changed'
  if (!signature.serverSignature || !signature.keyId) return 'not-server-signed'
  const { publicKey } = auditSigningKey()
  const { signerId, printedName, meaning, signedAt } = signature
  const manifest = { signerId, printedName, meaning, signedAt }
  if (signature.keyId !== keyIdOf(publicKey) || !verify(null, statement(readId, signature.contentHash, manifest), publicKey, Buffer.from(signature.serverSignature, 'base64'))) {
    return 'bad-signature'
  }
  if (!eventMatches(event, readId, signature)) return 'audit-mismatch'
  return null
}
