'use client'
import { wadouri } from '@cornerstonejs/dicom-image-loader'
import type { SeriesEntry, StudySet } from '../dicom/study-set'
import type { DicomInstance } from '../dicom/types'
import { readQualityAttributes } from '../quality/attributes'
import { summarisePixels, type PixelSummary, type QualityInstance } from '../quality/assess'
import type { Viewer } from '../viewer/viewer.client'
import type { QualityStore } from './quality-store'

// Feeds the quality store from the files the viewer holds, in small steps that give the
// page back between them (a 275-slice CT must not stall it): the headers of every image of
// the selected study, then the decoded pixels of the selected series. Only local and demo
// sets have their files here (Cornerstone's file manager); a PACS series is not assessed.

/** Enough for the attributes before Pixel Data in almost every file; the whole file is read otherwise. */
const HEAD_BYTES = 64 * 1024
/** Files read between two returns to the event loop. */
const BATCH = 8

const yieldToPage = () => new Promise<void>((resolve) => setTimeout(resolve, 0))

/** The image id of each image's first frame, by SOP Instance UID (the set lists frames in instance order). */
export function firstFrameIds(entry: SeriesEntry, imageIds: readonly string[]): Map<string, string> {
  const ids = new Map<string, string>()
  let cursor = 0
  for (const instance of entry.series.instances.filter((candidate) => candidate.hasPixelData)) {
    const id = imageIds[cursor]
    if (id) ids.set(instance.sopInstanceUid, id)
    cursor += Math.max(1, instance.numberOfFrames)
  }
  return ids
}

function fileOf(imageId: string): Blob | null {
  const match = /^dicomfile:(\d+)/.exec(imageId)
  return match ? wadouri.fileManager.get(Number(match[1])) : null
}

/** Whether the bytes hold the Pixel Data tag (7FE0,0010) in little endian: everything the report reads lies before it. */
function reachesPixelData(bytes: Uint8Array): boolean {
  for (let at = bytes.indexOf(0xe0); at !== -1 && at + 3 < bytes.length; at = bytes.indexOf(0xe0, at + 1)) {
    if (bytes[at + 1] === 0x7f && bytes[at + 2] === 0x10 && bytes[at + 3] === 0x00) return true
  }
  return false
}

async function attributesOf(file: Blob) {
  const head = new Uint8Array(await file.slice(0, HEAD_BYTES).arrayBuffer())
  if (file.size <= HEAD_BYTES || reachesPixelData(head)) {
    const attributes = readQualityAttributes(head)
    if (!attributes.unreadable || file.size <= HEAD_BYTES) return attributes
  }
  return readQualityAttributes(new Uint8Array(await file.arrayBuffer()))
}

/** Reads the headers of the study's images into the store; false when the set's files are not here or a newer read began. */
export async function readStudyHeaders(store: QualityStore, set: StudySet, study: SeriesEntry[], isCurrent: () => boolean): Promise<boolean> {
  const studyInstanceUid = study[0]?.first.studyInstanceUid ?? null
  if (set.source === 'dicomweb' || !studyInstanceUid) {
    store.reset(studyInstanceUid, 'unavailable')
    return false
  }
  store.reset(studyInstanceUid, 'reading-headers')
  const items: QualityInstance[] = []
  const work: { instance: DicomInstance; file: Blob }[] = []
  for (const entry of study) {
    const ids = firstFrameIds(entry, set.imageIdsBySeries.get(entry.series.seriesInstanceUid) ?? [])
    for (const instance of entry.series.instances) {
      const file = fileOf(ids.get(instance.sopInstanceUid) ?? '')
      if (file) work.push({ instance, file })
    }
  }
  for (let start = 0; start < work.length; start += BATCH) {
    const batch = await Promise.all(work.slice(start, start + BATCH).map(async ({ instance, file }) => ({ instance, attributes: await attributesOf(file) })))
    if (!isCurrent()) return false
    items.push(...batch)
    await yieldToPage()
  }
  if (!isCurrent()) return false
  store.setInstances(items)
  return true
}

/** Summarises the decoded pixels of one series' images (the viewer's own decoding) into the store. */
export async function readSeriesPixels(store: QualityStore, viewer: Viewer, entry: SeriesEntry, imageIds: readonly string[], isCurrent: () => boolean): Promise<void> {
  const uid = entry.series.seriesInstanceUid
  const items = store.snapshot.bySeries.get(uid)
  if (!items || store.snapshot.pixelsRead.has(uid)) {
    store.setStatus('done')
    return
  }
  store.setStatus('reading-pixels')
  const ids = firstFrameIds(entry, imageIds)
  const pixels = new Map<string, PixelSummary>()
  for (const { instance, attributes } of items) {
    const imageId = ids.get(instance.sopInstanceUid)
    if (!imageId) continue
    // An image the viewer cannot decode has no pixel checks; the viewer reports why.
    const values = await viewer.imagePixels([imageId]).then(
      ([decoded]) => decoded,
      () => undefined,
    )
    if (!isCurrent()) return
    if (values) pixels.set(instance.sopInstanceUid, summarisePixels(values, instance, attributes))
    await yieldToPage()
  }
  store.setPixels(uid, pixels)
}
