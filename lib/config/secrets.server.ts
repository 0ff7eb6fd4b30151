import 'server-only'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
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
  writeFileSync(file, JSON.stringify(created, null, 2) + '\n', { mode: 0o600, flag: 'wx' })
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
