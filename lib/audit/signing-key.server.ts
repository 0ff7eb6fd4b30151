import 'server-only'
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import type { Db } from '../db/client.server'
import { parsePublicKey, parseWitness, publicKeyText, type WitnessEntry } from './witness'

// The Ed25519 key that signs audit checkpoints lives outside the database (whoever can
// rewrite the database must not also be able to re-sign it): a PEM file whose path comes
// from the environment (mode 0600). It is generated only while no checkpoint exists, in
// the database or in the witness; after that a missing key stops the app, since a new one
// would disown every checkpoint signed so far, and a key other than the pinned one
// (PARALLAX_AUDIT_PUBLIC_KEY, else the witness's first record) is refused.

export class AuditKeyError extends Error {}

export interface AuditKeyPair {
  privateKey: KeyObject
  publicKey: KeyObject
}

export function auditKeyFile(): string {
  return path.resolve(process.env.PARALLAX_AUDIT_KEY_FILE ?? '.data/audit-signing-key.pem')
}

/** PARALLAX_AUDIT_PUBLIC_KEY (PEM, or base64 of the SPKI DER), when set. */
export function configuredPublicKey(): KeyObject | null {
  const text = process.env.PARALLAX_AUDIT_PUBLIC_KEY
  if (!text?.trim()) return null
  try {
    return parsePublicKey(text)
  } catch (error) {
    throw new AuditKeyError(`PARALLAX_AUDIT_PUBLIC_KEY is not an Ed25519 public key: ${error instanceof Error ? error.message : String(error)}`)
  }
}

function readKeyFile(file: string): AuditKeyPair | null {
  if (!existsSync(file)) return null
  const privateKey = createPrivateKey(readFileSync(file))
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new AuditKeyError(`${file} is not an Ed25519 private key`)
  return { privateKey, publicKey: createPublicKey(privateKey) }
}

/** The signing key's public half, where this process can read the key file (verifying needs no more). */
export function localPublicKey(): KeyObject | null {
  return readKeyFile(auditKeyFile())?.publicKey ?? null
}

/**
 * The signing key, checked against the pinned public key; generated (`generated: true`)
 * only when there is none yet and nothing has been signed.
 */
export async function auditSigningKey(db: Db, witness: readonly WitnessEntry[]): Promise<AuditKeyPair & { generated: boolean }> {
  const file = auditKeyFile()
  const configured = configuredPublicKey()
  const first = parseWitness(witness).records[0]
  const pin = configured
    ? { key: publicKeyText(configured), source: 'PARALLAX_AUDIT_PUBLIC_KEY' }
    : first
      ? { key: first.publicKey, source: "the audit witness's first checkpoint" }
      : null
  let pair = readKeyFile(file)
  let generated = false
  if (!pair) {
    const signed = await db.auditCheckpoint.count()
    if (signed > 0 || witness.length > 0) {
      throw new AuditKeyError(
        `The audit signing key ${file} is missing, but checkpoints were signed with it (database: ${signed}, witness: ${witness.length}). ` +
          'Restore the key file (PARALLAX_AUDIT_KEY_FILE): a new key would leave them unverifiable, so none is generated.',
      )
    }
    if (pin) throw new AuditKeyError(`The audit signing key ${file} is missing, and ${pin.source} pins one: restore the key file (PARALLAX_AUDIT_KEY_FILE).`)
    const { privateKey } = generateKeyPairSync('ed25519')
    mkdirSync(path.dirname(file), { recursive: true })
    // 'wx': two processes starting at once must not overwrite each other's key.
    try {
      writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' })
      generated = true
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    }
    pair = readKeyFile(file)!
  }
  if (pin && publicKeyText(pair.publicKey) !== pin.key) {
    throw new AuditKeyError(`The audit signing key ${file} is not the one ${pin.source} pins: restore the original key file, or the checkpoints it signs will not verify.`)
  }
  return { ...pair, generated }
}
