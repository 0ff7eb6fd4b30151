'use client'
import { wadouri } from '@cornerstonejs/dicom-image-loader'
import type { IngestFile, IngestRequest, IngestResponse } from './ingest-protocol'
import type { ExpectedImage } from './decoded-image'
import type { StudyOrigin, StudySet } from './study-set'
import type { DicomInstance } from './types'

export interface LocalFileInput {
  name: string
  file: Blob
}

let worker: Worker | undefined
let nextId = 1
const pending = new Map<
  number,
  { resolve: (value: Extract<IngestResponse, { type: 'result' }>) => void; reject: (error: Error) => void; onProgress?: (read: number, total: number) => void }
>()

function ingestWorker(): Worker {
  if (!worker) {
    worker = new Worker(new URL('./ingest.worker.ts', import.meta.url), { type: 'module' })
    worker.onmessage = (event: MessageEvent<IngestResponse>) => {
      const message = event.data
      const entry = pending.get(message.id)
      if (!entry) return
      if (message.type === 'progress') entry.onProgress?.(message.read, message.total)
      else {
        pending.delete(message.id)
        if (message.type === 'result') entry.resolve(message)
        else entry.reject(new Error(message.message))
      }
    }
    worker.onerror = (event) => {
      for (const [id, entry] of pending) {
        entry.reject(new Error(`The file reader stopped: ${event.message}`))
        pending.delete(id)
      }
      worker = undefined
    }
  }
  return worker
}

/** What each local image id's decoded image must be, as ingestion read its file: the viewer checks it (decoded-image.ts). */
const expectedImages = new Map<string, ExpectedImage & { source: string }>()

export function expectedImageOf(imageId: string): (ExpectedImage & { source: string }) | undefined {
  return expectedImages.get(imageId)
}

function imageIdsFor(instance: DicomInstance, blob: Blob): string[] {
  const base = wadouri.fileManager.add(blob)
  const ids = instance.numberOfFrames <= 1 ? [base] : Array.from({ length: instance.numberOfFrames }, (_, frame) => `${base}?frame=${frame + 1}`)
  for (const id of ids) expectedImages.set(id, { rows: instance.rows, columns: instance.columns, source: instance.source })
  return ids
}

/** Parses headers off the main thread, then registers the valid files with Cornerstone (`dicomfile:` image ids). */
export async function openLocalFiles(inputs: LocalFileInput[], origin: StudyOrigin, onProgress?: (read: number, total: number) => void): Promise<StudySet> {
  const id = nextId++
  const files: IngestFile[] = inputs.map(({ name, file }) => ({ name, file }))
  const response = await new Promise<Extract<IngestResponse, { type: 'result' }>>((resolve, reject) => {
    pending.set(id, { resolve, reject, onProgress })
    const request: IngestRequest = { type: 'ingest', id, files }
    ingestWorker().postMessage(request)
  })
  const extracted = new Map(response.extracted.map((entry) => [entry.fileIndex, new Blob([entry.bytes], { type: 'application/dicom' })]))
  // The files held before are replaced by these.
  expectedImages.clear()
  const imageIdsBySeries = new Map<string, string[]>()
  for (const patient of response.result.patients) {
    for (const study of patient.studies) {
      for (const series of study.series) {
        imageIdsBySeries.set(
          series.seriesInstanceUid,
          series.instances
            .filter((instance) => instance.hasPixelData)
            .flatMap((instance) => {
              const blob = extracted.get(instance.fileIndex) ?? inputs[instance.fileIndex]?.file
              return blob ? imageIdsFor(instance, blob) : []
            }),
        )
      }
    }
  }
  const segmentations = response.result.segmentations.flatMap((instance) => {
    const blob = extracted.get(instance.fileIndex) ?? inputs[instance.fileIndex]?.file
    return blob ? [{ instance, bytes: () => blob.arrayBuffer() }] : []
  })
  return { result: response.result, imageIdsBySeries, segmentations, ...origin }
}
