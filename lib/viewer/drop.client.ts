'use client'
import type { LocalFileInput } from '../dicom/ingest.client'

// Dropped folders arrive as FileSystemEntry trees: walk them so a whole exported study
// (or CD) can be dropped at once.

async function readEntry(entry: FileSystemEntry, prefix: string, out: LocalFileInput[]): Promise<void> {
  if (entry.isFile) {
    const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject))
    out.push({ name: `${prefix}${entry.name}`, file })
    return
  }
  if (entry.isDirectory) {
    const reader = (entry as FileSystemDirectoryEntry).createReader()
    // readEntries returns at most ~100 entries per call: read until it returns none.
    for (;;) {
      const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject))
      if (batch.length === 0) break
      for (const child of batch) await readEntry(child, `${prefix}${entry.name}/`, out)
    }
  }
}

export async function filesFromDrop(transfer: DataTransfer): Promise<LocalFileInput[]> {
  const entries = Array.from(transfer.items)
    .map((item) => item.webkitGetAsEntry?.())
    .filter((entry): entry is FileSystemEntry => !!entry)
  if (entries.length === 0) return Array.from(transfer.files).map((file) => ({ name: file.name, file }))
  const out: LocalFileInput[] = []
  for (const entry of entries) await readEntry(entry, '', out)
  return out
}
