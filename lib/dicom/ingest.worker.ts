/// <reference lib="webworker" />
import { exhaustiveSwitchError } from '../errors'
import { ingestFiles, isOsMetadata, type ExtractedFile, type IngestInput } from './ingest'
import type { IngestResult } from './types'
import type { ExtractedEntry, IngestFile, IngestRequest, IngestResponse } from './ingest-protocol'
import { naturalizeForPage } from './naturalize'
import { mayNeedNormalising, normaliseForDecoder } from './normalise-for-decoder'
import { DEFAULT_MAX_INFLATED_BYTES, HEAD_BYTES, parseInstance, parseInstanceHeader } from './parse-instance'

// Reads and parses dropped files off the main thread, so the page stays responsive while
// hundreds of headers are checked. Only metadata goes back (and extracted archive
// entries, transferred rather than copied).
//
// Streaming: each file's head (HEAD_BYTES) is read first, and a file whose head holds its
// whole header (up to Pixel Data) is accepted from it, so the series is ordered and shown
// without reading the pixel data of every file first. Such a file is read whole and
// checked (parseInstance, every check) before it is decoded: when the page asks, in the
// order it decodes, then the rest in the background. Bytes are dropped once checked, but
// for a file the page asked for, whose naturalized dataset goes back with its check
// (naturalize.ts): the page's loader would otherwise read and parse it again itself.

declare const self: DedicatedWorkerGlobalScope

const READ_BATCH = 32
/** Files read ahead of the one being checked: each read waits out a round trip to the browser. */
const CHECK_READ_AHEAD = 4
/** The page's requests come in bursts as a series starts loading; background checks wait for a pause. */
const BACKGROUND_AFTER_MS = 250

function post(message: IngestResponse, transfer: Transferable[] = []) {
  self.postMessage(message, transfer)
}

/** The whole-file checks of the latest drop's deferred files. */
interface CheckSession {
  id: number
  files: IngestFile[]
  /** What the result was made of, made again with the refused files once all are checked. */
  inputs: IngestInput[]
  deferred: Set<number>
  /** Files of the first result: a duplicate that takes a refused file's place is prepared for the decoder then. */
  shown: Set<number>
  unreadable: Map<string, string>
  unchecked: Set<number>
  requested: number[]
  /** Files the page asked for: their checks come back with the naturalized dataset. */
  asked: Set<number>
  refused: Map<number, string>
  reasons: Map<number, string | null>
  lastRequestAt: number
  /** Ends the check loop's pause at once: a file the page asks for waits for no timer. */
  wake: (() => void) | null
  running: boolean
  announced: boolean
}

let session: CheckSession | null = null

async function readWhole(file: Blob): Promise<Uint8Array> {
  return new Uint8Array(await file.arrayBuffer())
}

async function ingest({ id, files }: Extract<IngestRequest, { type: 'ingest' }>) {
  session = null
  // A file that cannot be read (moved or deleted since it was chosen) is one rejection, not a failed drop.
  const unreadable = new Map<string, string>()
  const deferred = new Set<number>()
  const read = async ({ name, file }: IngestFile, index: number): Promise<IngestInput> => {
    try {
      if (file.size > HEAD_BYTES && !isOsMetadata(name)) {
        const head = new Uint8Array(await file.slice(0, HEAD_BYTES).arrayBuffer())
        const header = parseInstanceHeader(head, file.size, name, index)
        if (header && !mayNeedNormalising(head, header)) {
          deferred.add(index)
          return { name, bytes: head, header }
        }
      }
      return { name, bytes: await readWhole(file) }
    } catch (error) {
      unreadable.set(name, `The file could not be read (${(error as Error).message})`)
      return { name, bytes: new Uint8Array(0) }
    }
  }
  const inputs: IngestInput[] = []
  // A batch of reads at a time: one after the other, each read waits out the last one's latency.
  for (let start = 0; start < files.length; start += READ_BATCH) {
    inputs.push(...(await Promise.all(files.slice(start, start + READ_BATCH).map((file, offset) => read(file, start + offset)))))
    post({ type: 'progress', id, read: inputs.length, total: files.length })
  }
  const { result, extracted } = resultOf(inputs, unreadable)
  const entries = decoderEntries(result, extracted, inputs, deferred)
  // Duplicates dropped from the result are checked too: should the file kept be refused, the next takes its place.
  const current: CheckSession = {
    id,
    files,
    inputs,
    deferred,
    shown: new Set([...result.patients.flatMap((p) => p.studies.flatMap((s) => s.series.flatMap((series) => series.instances))), ...result.segmentations].map((i) => i.fileIndex)),
    unreadable,
    unchecked: new Set(deferred),
    requested: [],
    asked: new Set(),
    refused: new Map(),
    reasons: new Map(),
    lastRequestAt: performance.now(),
    wake: null,
    running: false,
    announced: false,
  }
  session = current
  post(
    { type: 'result', id, result, extracted: entries, deferred: [...deferred] },
    entries.map((entry) => entry.bytes),
  )
  void runChecks(current)
}

/**
 * What the page must give the decoder instead of the file: accepted archive entries, and
 * files the decoder cannot take as they are, rewritten (losslessly) here, once. `sent`:
 * files whose entries the page has already.
 */
function decoderEntries(result: IngestResult, extracted: ExtractedFile[], inputs: IngestInput[], deferred: Set<number>, sent = new Set<number>()): ExtractedEntry[] {
  const byIndex = new Map(extracted.filter((entry) => !sent.has(entry.fileIndex)).map((entry) => [entry.fileIndex, entry]))
  for (const instance of result.patients.flatMap((p) => p.studies.flatMap((s) => s.series.flatMap((series) => series.instances)))) {
    if (!instance.hasPixelData || deferred.has(instance.fileIndex) || sent.has(instance.fileIndex)) continue
    const original = byIndex.get(instance.fileIndex)?.bytes ?? inputs[instance.fileIndex]?.bytes
    if (!original) continue
    try {
      const rewritten = normaliseForDecoder(original, instance, DEFAULT_MAX_INFLATED_BYTES)
      if (rewritten) byIndex.set(instance.fileIndex, { fileIndex: instance.fileIndex, name: instance.source, bytes: rewritten })
    } catch (error) {
      // The file parsed; if the rewrite fails the decoder gets the original and reports its own error.
      console.warn(`[ingest] could not prepare ${instance.source} for decoding`, error)
    }
  }
  return [...byIndex.values()].map(({ fileIndex, name, bytes }) => ({
    fileIndex,
    name,
    bytes: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
  }))
}

function resultOf(inputs: IngestInput[], unreadable: Map<string, string>, refused?: Map<number, string>) {
  const output = ingestFiles(inputs, { refused })
  output.result.rejected = output.result.rejected.map((rejection) => ({ ...rejection, reason: unreadable.get(rejection.source) ?? rejection.reason }))
  return output
}

/** Checks the requested files in the order asked, then the others; reads a few ahead. */
async function runChecks(current: CheckSession) {
  if (current.running) return
  current.running = true
  const ahead: { fileIndex: number; bytes: Promise<Uint8Array | Error> }[] = []
  const take = (): number | undefined => {
    while (current.requested.length > 0) {
      const next = current.requested.shift()!
      if (current.unchecked.delete(next)) return next
    }
    if (ahead.length > 0 || performance.now() - current.lastRequestAt < BACKGROUND_AFTER_MS) return undefined
    const next = current.unchecked.values().next()
    if (next.done) return undefined
    current.unchecked.delete(next.value)
    return next.value
  }
  try {
    while (session === current) {
      for (let next = ahead.length < CHECK_READ_AHEAD ? take() : undefined; next !== undefined; next = ahead.length < CHECK_READ_AHEAD ? take() : undefined) {
        ahead.push({ fileIndex: next, bytes: readWhole(current.files[next]!.file).catch((error: Error) => error) })
      }
      const first = ahead.shift()
      if (!first) {
        if (current.unchecked.size === 0) break
        // Requests may still come: look again after the pause background checks wait for, or as one comes.
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, BACKGROUND_AFTER_MS)
          current.wake = () => {
            clearTimeout(timer)
            resolve()
          }
        })
        current.wake = null
        continue
      }
      await finish(current, first.fileIndex, await first.bytes)
    }
  } finally {
    current.running = false
  }
  if (session === current && current.unchecked.size === 0 && current.reasons.size > 0 && !current.announced) {
    current.announced = true
    const revision = current.refused.size > 0 ? resultOf(current.inputs, current.unreadable, current.refused) : null
    const extracted = revision ? decoderEntries(revision.result, revision.extracted, current.inputs, current.deferred, current.shown) : []
    post(
      { type: 'all-checked', id: current.id, revised: revision?.result ?? null, extracted },
      extracted.map((entry) => entry.bytes),
    )
  }
}

async function finish(current: CheckSession, fileIndex: number, bytes: Uint8Array | Error) {
  const source = current.files[fileIndex]!.name
  let reason: string | null
  if (bytes instanceof Error) reason = `The file could not be read (${bytes.message})`
  else {
    const parsed = parseInstance(bytes, source, fileIndex)
    reason = parsed.ok ? null : parsed.rejection.reason
  }
  current.reasons.set(fileIndex, reason)
  if (reason !== null) current.refused.set(fileIndex, reason)
  const forPage = reason === null && current.asked.has(fileIndex) && !(bytes instanceof Error) ? await naturalizeForPage(bytes) : null
  post({ type: 'checked', id: current.id, fileIndex, reason, natural: forPage?.natural ?? null }, forPage?.transfer)
}

function check({ id, fileIndex }: Extract<IngestRequest, { type: 'check' }>) {
  const current = session
  if (!current || current.id !== id) {
    post({ type: 'checked', id, fileIndex, reason: 'The files were replaced by another drop before this one was read', natural: null })
    return
  }
  current.lastRequestAt = performance.now()
  current.asked.add(fileIndex)
  if (current.reasons.has(fileIndex)) post({ type: 'checked', id, fileIndex, reason: current.reasons.get(fileIndex)!, natural: null })
  else if (current.unchecked.has(fileIndex)) {
    current.requested.push(fileIndex)
    current.wake?.()
  }
  void runChecks(current)
}

self.onmessage = (event: MessageEvent<IngestRequest>) => {
  const request = event.data
  switch (request.type) {
    case 'ingest':
      ingest(request).catch((error: Error) => post({ type: 'error', id: request.id, message: error.message }))
      break
    case 'check':
      check(request)
      break
    default:
      exhaustiveSwitchError(request)
  }
}
