// Reads every file under a folder, recursively, as ingestion inputs named by their path
// relative to that folder (sorted, so tests see a stable order).
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'

export interface FolderFile {
  name: string
  bytes: Uint8Array
}

export function readFolder(folder: string): FolderFile[] {
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name))
    .sort()
    .map((file) => ({ name: path.relative(folder, file).split(path.sep).join('/'), bytes: new Uint8Array(readFileSync(file)) }))
}
