import 'server-only'
import { hkdfSync, randomBytes } from 'node:crypto'
import { existsSync, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { z } from 'zod'

// Secrets live outside the database, in a file generated on first start (mode 0600).
// Environment variables override the file for deployments that inject secrets.

const secretsSchema = z.object({
  nextAuthSecret: z.string().min(32),
  auditIdentifierSalt: z.string().min(32),
})

export type Secrets = z.infer<typeof secretsSchema>

export function secretsFilePath(): string {
  return path.resolve(process.env.PARALLAX_SECRETS_FILE ?? '.data/secrets.json')
}

function loadOrCreate(file: string): Secrets {
  if (existsSync(file)) {
    const parsed = secretsSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')))
    if (!parsed.success) throw new Error(`${file} is not a valid Parallax secrets file: ${parsed.error.message}`)
    return parsed.data
  }
  const created: Secrets = {
    nextAuthSecret: randomBytes(32).toString('base64url'),
    auditIdentifierSalt: randomBytes(32).toString('base64url'),
  }
  mkdirSync(path.dirname(file), { recursive: true })
  // Written aside, then linked into place: instances starting together on one secrets file
  // never read a half-written one, and the first link wins (the others read the winner's).
  const draft = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`
  writeFileSync(draft, JSON.stringify(created, null, 2) + '\n', { mode: 0o600, flag: 'wx' })
  try {
    linkSync(draft, file)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    return loadOrCreate(file)
  } finally {
    rmSync(draft, { force: true })
  }
  return created
}

let cached: Secrets | undefined

export function getSecrets(): Secrets {
  if (!cached) {
    const fromFile = loadOrCreate(secretsFilePath())
    cached = {
      nextAuthSecret: process.env.NEXTAUTH_SECRET ?? fromFile.nextAuthSecret,
      auditIdentifierSalt: process.env.PARALLAX_AUDIT_SALT ?? fromFile.auditIdentifierSalt,
    }
  }
  return cached
}

/**
 * The HMAC key of PACS access tokens (lib/dicomweb/pacs-token.ts): PARALLAX_PACS_TOKEN_KEY,
 * else derived from the session secret with HKDF under a label of its own, so every app
 * instance that shares the secrets agrees on it and neither key can be computed from the other.
 */
export function pacsTokenKeyBytes(): Uint8Array {
  const configured = process.env.PARALLAX_PACS_TOKEN_KEY
  if (configured !== undefined) {
    if (configured.length < 32) throw new Error('PARALLAX_PACS_TOKEN_KEY must be at least 32 characters long.')
    return new TextEncoder().encode(configured)
  }
  return new Uint8Array(hkdfSync('sha256', getSecrets().nextAuthSecret, 'parallax', 'pacs-access-token/v1', 32))
}

/**
 * The key the reverse proxy in front of a PACS presents to GET /api/pacs/authorize
 * (PARALLAX_PACS_PROXY_KEY), or null when none is configured. Only a request with it gets the
 * PACS's credential back to add upstream.
 */
export function pacsProxyKey(): string | null {
  const configured = process.env.PARALLAX_PACS_PROXY_KEY
  if (configured === undefined || configured === '') return null
  if (configured.length < 32 || !/^[\x21-\x7e]+$/.test(configured)) throw new Error('PARALLAX_PACS_PROXY_KEY must be at least 32 printable ASCII characters, without spaces.')
  return configured
}
