import type { IngestResult } from './types'

// Messages between the page and the ingestion worker. Only metadata comes back; the
// pixel data stays in the Files (and, for archives, in the extracted entries' buffers,
// which are transferred, not copied).

/** What `@cornerstonejs/metadata`'s naturalizePart10Buffer makes of a file: plain objects, arrays and ArrayBuffers. */
export type NaturalizedDataset = Record<string, unknown>

export interface IngestFile {
  name: string
  file: Blob
}

export interface ExtractedEntry {
  fileIndex: number
  name: string
  bytes: ArrayBuffer
}

export type IngestRequest =
  | { type: 'ingest'; id: number; files: IngestFile[] }
  /** Read this file whole and check it before it is decoded (one the result listed as `deferred`); ahead of the files nobody asked for. */
  | { type: 'check'; id: number; fileIndex: number }

export type IngestResponse =
  | { type: 'progress'; id: number; read: number; total: number }
  /** `deferred`: files accepted from their first bytes, whose whole-file checks are still to come. */
  | { type: 'result'; id: number; result: IngestResult; extracted: ExtractedEntry[]; deferred: number[] }
  /**
   * The whole-file check of one deferred file: null when it passed, else why it is refused.
   * `natural`: for a file the page asked for that passed, Cornerstone's naturalized dataset
   * of it (its Pixel Data transferred), so that the page's loader neither reads nor parses
   * the file again on the main thread; null otherwise.
   */
  | { type: 'checked'; id: number; fileIndex: number; reason: string | null; natural: NaturalizedDataset | null }
  /** Every deferred file checked; `revised` is the result with the refused ones among the rejections (null when none was refused), `extracted` the decoder's bytes of files it has that the first result had not. */
  | { type: 'all-checked'; id: number; revised: IngestResult | null; extracted: ExtractedEntry[] }
  | { type: 'error'; id: number; message: string }
