import 'server-only'
import { closeSync, existsSync, fsyncSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs'
import path from 'node:path'
import { z } from 'zod'

// The model store on disk (PARALLAX_MODEL_STORE, default .data/models): one folder per
// model id. A model file and its audit event are one unit: the files are first written
// (and synced) into a pending folder that nothing lists, the event commits, and only then
// are they moved into place. A crash leaves a pending folder; at start it is finished when
// its event committed and removed when not (recoverModelStore in add-model.server.ts), so
// the store never holds a model the trail does not name, nor the trail one the store lacks.

export function modelStoreDir(): string {
  return path.resolve(process.env.PARALLAX_MODEL_STORE ?? '.data/models')
}

const pendingPrefix = '.pending-'
const recordFile = 'pending.json'

/** What a pending folder is for: the model, its bytes, and the audit head before its event (so only a later event can commit it). */
export const pendingRecordSchema = z.object({
  id: z.string(),
  sha256: z.string(),
  afterSeq: z.number().int().min(0),
  /** The files to move into the model's folder, in order: the model file before the manifest that lists it. */
  files: z.array(z.string()),
})
export type PendingRecord = z.infer<typeof pendingRecordSchema>

/** Pending folders are hidden from the registry, which lists only folders that are not. */
export const isPendingName = (name: string) => name.startsWith('.')

function writeDurably(file: string, bytes: Uint8Array | string): void {
  const fd = openSync(file, 'wx', 0o644)
  try {
    const data = typeof bytes === 'string' ? Buffer.from(bytes) : bytes
    let written = 0
    while (written < data.byteLength) written += writeSync(fd, data, written, data.byteLength - written)
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
}

function syncDir(dir: string): void {
  const fd = openSync(dir, 'r')
  try {
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
}

/** Writes the files into a new pending folder (the record last: a folder without one was never complete). Returns the folder. */
export function stageFiles(record: Omit<PendingRecord, 'files'>, files: { name: string; bytes: Uint8Array | string }[]): string {
  const store = modelStoreDir()
  mkdirSync(store, { recursive: true })
  const dir = mkdtempSync(path.join(store, `${pendingPrefix}${record.id}-`))
  try {
    for (const file of files) writeDurably(path.join(dir, file.name), file.bytes)
    writeDurably(path.join(dir, recordFile), JSON.stringify({ ...record, files: files.map((file) => file.name) } satisfies PendingRecord))
    syncDir(dir)
    syncDir(store)
  } catch (error) {
    rmSync(dir, { recursive: true, force: true })
    throw error
  }
  return dir
}

export function readPendingRecord(dir: string): PendingRecord | null {
  try {
    return pendingRecordSchema.parse(JSON.parse(readFileSync(path.join(dir, recordFile), 'utf8')))
  } catch {
    return null
  }
}

/** Moves a pending folder's files into the model's folder, in order; safe to run again after a crash part way. */
export function commitStaged(dir: string): void {
  const record = readPendingRecord(dir)
  if (!record) throw new Error(`${dir} has no readable ${recordFile}`)
  const target = path.join(modelStoreDir(), record.id)
  mkdirSync(target, { recursive: true })
  for (const name of record.files) {
    const source = path.join(dir, name)
    if (existsSync(source)) renameSync(source, path.join(target, name))
  }
  syncDir(target)
  rmSync(dir, { recursive: true, force: true })
}

export function abandonStaged(dir: string): void {
  rmSync(dir, { recursive: true, force: true })
}

/** The pending folders in the store, with their records (null when staging never finished). */
export function listStaged(): { dir: string; record: PendingRecord | null }[] {
  const store = modelStoreDir()
  if (!existsSync(store)) return []
  return readdirSync(store, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && entry.name.startsWith(pendingPrefix))
    .map((entry) => path.join(store, entry.name))
    .map((dir) => ({ dir, record: readPendingRecord(dir) }))
}
