import 'server-only'
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, writeSync, existsSync } from 'node:fs'
import path from 'node:path'
import type { WitnessEntry } from './witness'

// Where the witness keeps its records (witness.ts says what they are). The interface is
// what another store needs to offer (an object store with conditional writes, a log
// service that can be read back): append a record once, never replace it, read them all.

export interface AuditWitness {
  /** Where it is, for messages. */
  readonly location: string
  /** Stores record `index` unless it is already there with the same text; never replaces one. */
  append(entry: WitnessEntry): Promise<void>
  /** Every record held, in any order. */
  entries(): Promise<WitnessEntry[]>
}

export class WitnessConflictError extends Error {}

const fileName = (index: number) => `checkpoint-${String(index).padStart(10, '0')}.json`
const filePattern = /^checkpoint-(\d{10})\.json$/

/**
 * One file per checkpoint, created with O_EXCL (flag 'wx') and mode 0444, never opened for
 * writing again. Put the directory where the database's owner cannot write (another host's
 * mount, an append-only or WORM volume, `chattr +a`).
 */
export class DirectoryWitness implements AuditWitness {
  constructor(readonly location: string) {}

  async append({ index, text }: WitnessEntry): Promise<void> {
    mkdirSync(this.location, { recursive: true })
    const file = path.join(this.location, fileName(index))
    let fd: number
    try {
      fd = openSync(file, 'wx', 0o444)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
      // Another process wrote it first (or this one, before a crash): the same record stands.
      if (readFileSync(file, 'utf8') === text) return
      throw new WitnessConflictError(`The audit witness already holds a different checkpoint ${index} (${file}): the database's trail is not the one it witnessed`)
    }
    try {
      writeSync(fd, text)
      fsyncSync(fd)
    } finally {
      closeSync(fd)
    }
    const dir = openSync(this.location, 'r')
    try {
      fsyncSync(dir)
    } finally {
      closeSync(dir)
    }
  }

  async entries(): Promise<WitnessEntry[]> {
    if (!existsSync(this.location)) return []
    return readdirSync(this.location)
      .map((name) => filePattern.exec(name))
      .filter((match) => match !== null)
      .map((match) => ({ index: Number(match[1]), text: readFileSync(path.join(this.location, match[0]), 'utf8') }))
  }
}

export function auditWitnessDir(): string {
  return path.resolve(process.env.PARALLAX_AUDIT_WITNESS_DIR ?? '.data/audit-witness')
}

/** The configured witness (read from the environment on each call, so a test or bench can point it elsewhere). */
export function auditWitness(): AuditWitness {
  return new DirectoryWitness(auditWitnessDir())
}
