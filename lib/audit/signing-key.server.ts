import 'server-only'
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'

// The Ed25519 key that signs audit checkpoints lives outside the database (whoever can
// rewrite the database must not also be able to re-sign it): a PEM file whose path comes
// from the environment, generated on first start (mode 0600) when absent.

export function auditKeyFile(): string {
  return path.resolve(process.env.PARALLAX_AUDIT_KEY_FILE ?? '.data/audit-signing-key.pem')
}

let cached: { privateKey: KeyObject; publicKey: KeyObject } | undefined

export function auditSigningKey(): { privateKey: KeyObject; publicKey: KeyObject } {
  if (cached) return cached
  const file = auditKeyFile()
  if (!existsSync(file)) {
    const { privateKey } = generateKeyPairSync('ed25519')
    mkdirSync(path.dirname(file), { recursive: true })
    // 'wx': two processes starting at once must not overwrite each other's key.
    try {
      writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' })
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    }
  }
  const privateKey = createPrivateKey(readFileSync(file))
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error(`${file} is not an Ed25519 private key`)
  cached = { privateKey, publicKey: createPublicKey(privateKey) }
  return cached
}
