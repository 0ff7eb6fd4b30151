/// <reference lib="webworker" />
import { exhaustiveSwitchError } from '../errors'
import { ingestFiles } from './ingest'
import type { ExtractedEntry, IngestRequest, IngestResponse } from './ingest-protocol'
import { normaliseForDecoder } from './normalise-for-decoder'
import { DEFAULT_MAX_INFLATED_BYTES } from './parse-instance'

// Reads and parses dropped files off the main thread, so the page stays responsive while
// hundreds of headers are checked. Only metadata goes back (and extracted archive
// entries, transferred rather than copied).

declare const self: DedicatedWorkerGlobalScope

const READ_BATCH = 16

function post(message: IngestResponse, transfer: Transferable[] = []) {
  self.postMessage(message, transfer)
}

async function ingest({ id, files }: IngestRequest) {
  // A file that cannot be read (moved or deleted since it was chosen) is one rejection, not a failed drop.
  const unreadable = new Map<string, string>()
  const read = async ({ name, file }: IngestRequest['files'][number]) => {
    try {
      return { name, bytes: new Uint8Array(await file.arrayBuffer()) }
    } catch (error) {
      unreadable.set(name, `The file could not be read (${(error as Error).message})`)
      return { name, bytes: new Uint8Array(0) }
    }
  }
  const inputs: { name: string; bytes: Uint8Array }[] = []
  // A batch of reads at a time: one after the other, each read waits out the last one's latency.
  for (let start = 0; start < files.length; start += READ_BATCH) {
    inputs.push(...(await Promise.all(files.slice(start, start + READ_BATCH).map(read))))
    post({ type: 'progress', id, read: inputs.length, total: files.length })
  }
  const { result, extracted } = ingestFiles(inputs)
  result.rejected = result.rejected.map((rejection) => ({ ...rejection, reason: unreadable.get(rejection.source) ?? rejection.reason }))
  const byIndex = new Map(extracted.map((entry) => [entry.fileIndex, entry]))
  // Files the decoder cannot take as they are are rewritten (losslessly) here, once.
  for (const instance of result.patients.flatMap((p) => p.studies.flatMap((s) => s.series.flatMap((series) => series.instances)))) {
    if (!instance.hasPixelData) continue
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
  const entries: ExtractedEntry[] = [...byIndex.values()].map(({ fileIndex, name, bytes }) => ({
    fileIndex,
    name,
    bytes: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
  }))
  post(
    { type: 'result', id, result, extracted: entries },
    entries.map((entry) => entry.bytes),
  )
}

self.onmessage = (event: MessageEvent<IngestRequest>) => {
  const request = event.data
  switch (request.type) {
    case 'ingest':
      ingest(request).catch((error: Error) => post({ type: 'error', id: request.id, message: error.message }))
      break
    default:
      exhaustiveSwitchError(request.type)
  }
}
