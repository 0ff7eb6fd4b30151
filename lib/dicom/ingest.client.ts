'use client'
import { wadouri } from '@cornerstonejs/dicom-image-loader'
import { Enums as MetadataEnums, utilities as metadataUtilities } from '@cornerstonejs/metadata'
import type { IngestFile, IngestRequest, IngestResponse, NaturalizedDataset } from './ingest-protocol'
import type { ExpectedImage } from './decoded-image'
import type { StudyOrigin, StudySet } from './study-set'
import type { DicomInstance, IngestResult } from './types'

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

interface Checked {
  reason: string | null
  natural: NaturalizedDataset | null
}

/** The latest drop's files that were accepted from their heads, and their whole-file checks as they come. */
let checks: {
  id: number
  answers: Map<number, { promise: Promise<Checked>; resolve: (checked: Checked) => void; asked: boolean }>
  allChecked: (message: Extract<IngestResponse, { type: 'all-checked' }>) => void
} | null = null

function onMessage(message: IngestResponse) {
  if (message.type === 'checked' || message.type === 'all-checked') {
    if (checks?.id !== message.id) return
    if (message.type === 'checked') checks.answers.get(message.fileIndex)?.resolve({ reason: message.reason, natural: message.natural })
    else checks.allChecked(message)
    return
  }
  const entry = pending.get(message.id)
  if (!entry) return
  if (message.type === 'progress') entry.onProgress?.(message.read, message.total)
  else {
    pending.delete(message.id)
    if (message.type === 'result') entry.resolve(message)
    else entry.reject(new Error(message.message))
  }
}

function ingestWorker(): Worker {
  if (!worker) {
    worker = new Worker(new URL('./ingest.worker.ts', import.meta.url), { type: 'module' })
    worker.onmessage = (event: MessageEvent<IngestResponse>) => onMessage(event.data)
    worker.onerror = (event) => {
      for (const [id, entry] of pending) {
        entry.reject(new Error(`The file reader stopped: ${event.message}`))
        pending.delete(id)
      }
      for (const answer of checks?.answers.values() ?? []) answer.resolve({ reason: `The file reader stopped: ${event.message}`, natural: null })
      checks = null
      worker = undefined
    }
  }
  return worker
}

/** Starts the ingestion worker ahead of the first drop, so that its start is not part of opening files. */
export function prepareIngestion(): void {
  ingestWorker()
}

/** What each local image id's decoded image must be, as ingestion read its file: the viewer checks it (decoded-image.ts). */
const expectedImages = new Map<string, ExpectedImage & { source: string; fileIndex: number }>()

export function expectedImageOf(imageId: string): (ExpectedImage & { source: string }) | undefined {
  return expectedImages.get(imageId)
}

const NATURALIZED = MetadataEnums.MetadataModules.NATURALIZED

/** The worker's naturalized dataset of the file, where Cornerstone's loader looks before it reads and parses the file itself. */
function adoptNatural(imageId: string, natural: NaturalizedDataset): void {
  const baseImageId = imageId.replace(/\?.*$/, '')
  if (metadataUtilities.getCacheData(NATURALIZED, baseImageId) === undefined) metadataUtilities.setCacheData(NATURALIZED, baseImageId, natural)
}

/**
 * Why the file of a local image may not be decoded, or null when it may: files accepted
 * from their heads are read whole and checked first (in the order asked, which is the
 * order the viewer decodes in); every other file was checked whole at ingestion. A file
 * that passes comes with its dataset, which Cornerstone's loader then takes as read.
 */
export async function wholeFileCheck(imageId: string): Promise<string | null> {
  const fileIndex = expectedImages.get(imageId)?.fileIndex
  const answer = fileIndex === undefined ? undefined : checks?.answers.get(fileIndex)
  if (!checks || !answer) return null
  if (!answer.asked) {
    answer.asked = true
    const request: IngestRequest = { type: 'check', id: checks.id, fileIndex: fileIndex! }
    ingestWorker().postMessage(request)
  }
  const { reason, natural } = await answer.promise
  if (reason === null && natural) adoptNatural(imageId, natural)
  return reason
}

function imageIdsFor(instance: DicomInstance, blob: Blob): string[] {
  const base = wadouri.fileManager.add(blob)
  const ids = instance.numberOfFrames <= 1 ? [base] : Array.from({ length: instance.numberOfFrames }, (_, frame) => `${base}?frame=${frame + 1}`)
  for (const id of ids) expectedImages.set(id, { rows: instance.rows, columns: instance.columns, source: instance.source, fileIndex: instance.fileIndex })
  return ids
}

function imageIdsBySeriesOf(result: IngestResult, idsOf: (instance: DicomInstance) => string[]): Map<string, string[]> {
  const bySeries = new Map<string, string[]>()
  for (const series of result.patients.flatMap((patient) => patient.studies.flatMap((study) => study.series))) {
    bySeries.set(series.seriesInstanceUid, series.instances.filter((instance) => instance.hasPixelData).flatMap(idsOf))
  }
  return bySeries
}

/** Parses headers off the main thread, then registers the valid files with Cornerstone (`dicomfile:` image ids); see `revised` for files refused later. */
export async function openLocalFiles(inputs: LocalFileInput[], origin: StudyOrigin, onProgress?: (read: number, total: number) => void): Promise<StudySet> {
  const id = nextId++
  const files: IngestFile[] = inputs.map(({ name, file }) => ({ name, file }))
  const response = await new Promise<Extract<IngestResponse, { type: 'result' }>>((resolve, reject) => {
    pending.set(id, { resolve, reject, onProgress })
    const request: IngestRequest = { type: 'ingest', id, files }
    ingestWorker().postMessage(request)
  })
  // User Timing: the headers are read (the profiler and `npm run bench` read where the time goes).
  performance.mark('parallax:headers-read', { detail: { files: inputs.length, deferred: response.deferred.length } })
  const extracted = new Map(response.extracted.map((entry) => [entry.fileIndex, new Blob([entry.bytes], { type: 'application/dicom' })]))
  // The files held before are replaced by these.
  expectedImages.clear()
  const answers = new Map(
    response.deferred.map((fileIndex) => {
      let resolve!: (checked: Checked) => void
      const promise = new Promise<Checked>((done) => (resolve = done))
      return [fileIndex, { promise, resolve, asked: false }] as const
    }),
  )
  let allChecked!: (message: Extract<IngestResponse, { type: 'all-checked' }>) => void
  const everyFileChecked = new Promise<Extract<IngestResponse, { type: 'all-checked' }>>((resolve) => (allChecked = resolve))
  // Loads of the files held before that still wait for a check end here, refused: those files are no longer held.
  for (const answer of checks?.answers.values() ?? []) answer.resolve({ reason: 'The files were replaced by another drop before this one was read', natural: null })
  checks = { id, answers, allChecked }
  const idsByFile = new Map<number, string[]>()
  const idsOf = (instance: DicomInstance): string[] => {
    const blob = extracted.get(instance.fileIndex) ?? inputs[instance.fileIndex]?.file
    if (!blob) return []
    const ids = idsByFile.get(instance.fileIndex) ?? imageIdsFor(instance, blob)
    idsByFile.set(instance.fileIndex, ids)
    return ids
  }
  const segmentationsOf = (result: IngestResult) =>
    result.segmentations.flatMap((instance) => {
      const blob = extracted.get(instance.fileIndex) ?? inputs[instance.fileIndex]?.file
      return blob ? [{ instance, bytes: () => blob.arrayBuffer() }] : []
    })
  const setOf = (result: IngestResult): StudySet => ({ result, imageIdsBySeries: imageIdsBySeriesOf(result, idsOf), segmentations: segmentationsOf(result), ...origin })
  const set = setOf(response.result)
  // A file its head let in but its whole read refused leaves the set, listed with its reason.
  const revised =
    answers.size === 0
      ? Promise.resolve(null)
      : everyFileChecked.then(({ revised, extracted: added }) => {
          for (const entry of added) extracted.set(entry.fileIndex, new Blob([entry.bytes], { type: 'application/dicom' }))
          return revised ? setOf(revised) : null
        })
  return { ...set, revised }
}
