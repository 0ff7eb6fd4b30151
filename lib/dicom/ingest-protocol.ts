import type { IngestResult } from './types'

// Messages between the page and the ingestion worker. Only metadata comes back; the
// pixel data stays in the Files (and, for archives, in the extracted entries' buffers,
// which are transferred, not copied).

export interface IngestFile {
  name: string
  file: Blob
}

export interface ExtractedEntry {
  fileIndex: number
  name: string
  bytes: ArrayBuffer
}

export type IngestRequest = { type: 'ingest'; id: number; files: IngestFile[] }

export type IngestResponse =
  | { type: 'progress'; id: number; read: number; total: number }
  | { type: 'result'; id: number; result: IngestResult; extracted: ExtractedEntry[] }
  | { type: 'error'; id: number; message: string }
