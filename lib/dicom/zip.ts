// Extracts the files of a .zip with hard limits, so a small upload cannot expand into
// gigabytes ("zip bomb"). The limits are checked twice: first against the sizes the
// archive's central directory declares, before anything is inflated, and then against the
// bytes actually produced while inflating, because declared sizes are only claims.
import { Unzip, UnzipInflate, unzipSync, type UnzipFile, type UnzipFileInfo } from 'fflate'
import { mebibytes } from './units'

export interface ZipLimits {
  maxEntries: number
  /** Largest single entry, uncompressed. */
  maxEntryBytes: number
  /** Largest sum of all entries, uncompressed. */
  maxTotalBytes: number
  /** Highest uncompressed:compressed ratio for an entry larger than RATIO_CHECK_MIN_BYTES. */
  maxCompressionRatio: number
}

export const DEFAULT_ZIP_LIMITS: ZipLimits = {
  maxEntries: 20_000,
  maxEntryBytes: 1024 * 2 ** 20,
  maxTotalBytes: 2048 * 2 ** 20,
  // Real DICOM deflates 1–20:1 (a sparse SEG mask is the high end); bombs reach ~1000:1.
  maxCompressionRatio: 200,
}

/** Small entries cannot do harm whatever their ratio (an empty mask compresses ~1000:1). */
const RATIO_CHECK_MIN_BYTES = 2 ** 20
/** Input fed to the inflater per push; bounds each output chunk to ~1032× this. */
const PUSH_BYTES = 16 * 1024

export interface ZipEntry {
  name: string
  bytes: Uint8Array
}

export type ZipResult = { ok: true; entries: ZipEntry[]; rejected: { name: string; reason: string }[] } | { ok: false; reason: string }

/** Local file header or (empty archive) end-of-central-directory signature. */
export function isZip(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && ((bytes[2] === 3 && bytes[3] === 4) || (bytes[2] === 5 && bytes[3] === 6))
}

class TooManyEntries extends Error {}

export function extractZip(bytes: Uint8Array, limits: ZipLimits = DEFAULT_ZIP_LIMITS): ZipResult {
  const listing = readDirectory(bytes, limits)
  if (!listing.ok) return listing
  return inflateEntries(bytes, listing.files, limits)
}

function readDirectory(bytes: Uint8Array, limits: ZipLimits): { ok: true; files: UnzipFileInfo[] } | { ok: false; reason: string } {
  const files: UnzipFileInfo[] = []
  try {
    // With a filter that declines every entry, unzipSync only walks the central directory.
    unzipSync(bytes, {
      filter: (file) => {
        // Thrown, not counted: a forged entry count could otherwise keep this loop going.
        if (files.length === limits.maxEntries) throw new TooManyEntries()
        files.push(file)
        return false
      },
    })
  } catch (error) {
    if (error instanceof TooManyEntries) return { ok: false, reason: `Zip archive has more than ${limits.maxEntries} entries` }
    return { ok: false, reason: `Not a readable zip archive (${error instanceof Error ? error.message : String(error)})` }
  }

  let totalBytes = 0
  let compressedBytes = 0
  for (const file of files) {
    if (file.originalSize > limits.maxEntryBytes) {
      return { ok: false, reason: `Zip entry ${file.name} is ${mebibytes(file.originalSize)} MiB, over the ${mebibytes(limits.maxEntryBytes)} MiB limit` }
    }
    const ratio = file.originalSize / Math.max(file.size, 1)
    if (file.originalSize >= RATIO_CHECK_MIN_BYTES && ratio > limits.maxCompressionRatio) {
      return { ok: false, reason: `Zip entry ${file.name} expands ${Math.round(ratio)}:1, over the ${limits.maxCompressionRatio}:1 limit (possible zip bomb)` }
    }
    totalBytes += file.originalSize
    compressedBytes += file.size
  }
  if (totalBytes > limits.maxTotalBytes) {
    return { ok: false, reason: `Zip archive expands to ${mebibytes(totalBytes)} MiB, over the ${mebibytes(limits.maxTotalBytes)} MiB limit` }
  }
  // Entries that share compressed data (overlapping entries) are a zip bomb technique.
  if (compressedBytes > bytes.length) return { ok: false, reason: 'Zip entries overlap (possible zip bomb)' }
  return { ok: true, files }
}

function inflateEntries(bytes: Uint8Array, files: UnzipFileInfo[], limits: ZipLimits): ZipResult {
  // Streamed entries are matched to their directory entries by name, in order.
  const declared = new Map<string, UnzipFileInfo[]>()
  for (const file of files) declared.set(file.name, [...(declared.get(file.name) ?? []), file])

  const entries: ZipEntry[] = []
  const rejected: { name: string; reason: string }[] = []
  const started: { name: string; settled: boolean }[] = []
  let failure: string | null = null
  let totalBytes = 0

  const unzip = new Unzip((file: UnzipFile) => {
    if (failure || file.name.endsWith('/')) return // directories hold no data
    const info = declared.get(file.name)?.shift()
    if (!info) {
      rejected.push({ name: file.name, reason: "Not listed in the zip archive's directory; skipped" })
      return
    }
    if (file.compression !== 0 && file.compression !== 8) {
      rejected.push({ name: file.name, reason: `Zip compression method ${file.compression} is not supported` })
      return
    }
    const state = { name: file.name, settled: false }
    started.push(state)
    const chunks: Uint8Array[] = []
    let size = 0
    file.ondata = (error, chunk, final) => {
      if (state.settled || failure) return
      if (error) {
        state.settled = true
        rejected.push({ name: file.name, reason: `Zip entry is corrupt (${error.message})` })
        return
      }
      size += chunk.length
      totalBytes += chunk.length
      // Declared sizes passed the limits above; producing more than declared is a lie.
      if (size > info.originalSize || size > limits.maxEntryBytes || totalBytes > limits.maxTotalBytes) {
        failure = `Zip entry ${file.name} inflates beyond its declared ${info.originalSize} bytes (possible zip bomb)`
        return
      }
      chunks.push(chunk)
      if (!final) return
      state.settled = true
      if (size !== info.originalSize) rejected.push({ name: file.name, reason: `Zip entry is ${size} bytes, but the archive declares ${info.originalSize}` })
      else entries.push({ name: file.name, bytes: concat(chunks, size) })
    }
    file.start()
  })
  unzip.register(UnzipInflate)

  try {
    for (let offset = 0; offset < bytes.length && !failure; offset += PUSH_BYTES) {
      const end = Math.min(offset + PUSH_BYTES, bytes.length)
      unzip.push(bytes.subarray(offset, end), end === bytes.length)
    }
  } catch (error) {
    failure = `Zip archive is corrupt (${error instanceof Error ? error.message : String(error)})`
  }
  if (failure) return { ok: false, reason: failure }

  // Entries whose data never finished streaming, or never started (damaged local headers).
  for (const state of started) if (!state.settled) rejected.push({ name: state.name, reason: 'Zip entry is incomplete' })
  for (const [name, unclaimed] of declared) {
    if (!name.endsWith('/')) for (const file of unclaimed) rejected.push({ name: file.name, reason: 'Zip entry could not be extracted' })
  }
  return { ok: true, entries, rejected }
}

function concat(chunks: Uint8Array[], size: number): Uint8Array {
  if (chunks.length === 1) return chunks[0]!
  const bytes = new Uint8Array(size)
  let offset = 0
  for (const chunk of chunks) {
    bytes.set(chunk, offset)
    offset += chunk.length
  }
  return bytes
}
