'use client'
import { wadors } from '@cornerstonejs/dicom-image-loader'
import { groupStudies } from '../dicom/group-studies'
import { isSegmentation } from '../dicom/segmentation-storage'
import type { DicomInstance } from '../dicom/types'
import { instanceFromDicomJson, type DicomJsonDataset } from '../dicomweb/instance-metadata'
import { DicomwebError, searchSeries } from '../dicomweb/qido'
import type { PacsServerDto } from '../dicomweb/schema'
import { setRootAuthorization } from '../viewer/request-authorization.client'
import type { SegmentationObject, StudySet } from '../dicom/study-set'
import { firstMultipartPart } from '../dicomweb/multipart'
import { pacsById } from '../dicomweb/pacs.client'
import { pacsAuthorization } from '../dicomweb/pacs-token.client'
import { cornerstoneReady } from './opening-image.client'

// Opens a study from a PACS: series from QIDO-RS, instance metadata from WADO-RS, pixels
// by Cornerstone's WADO-RS loader, SEG objects by WADO-RS when the user loads one, all fetched by this browser straight from the
// PACS with this user's access token. Our server only says where the PACS is, and issues the token.
//
// What the first image waits for is kept to the requests it needs, each started as soon as
// it can be: the PACS's address and the token together, then the series, then every
// series' metadata at once (one request per series: it orders the slices and names the
// initial one; measured against Orthanc, a QIDO-RS instance search with the position
// attributes took longer than the full metadata). Cornerstone's loader starts while those
// are in flight, and the initial slice's frame is asked for as soon as the page has the set
// (opening-image.client.ts), before the viewer asks for it.

async function seriesMetadata(pacs: PacsServerDto, authorization: string, studyUid: string, seriesUid: string): Promise<DicomJsonDataset[]> {
  const url = `${pacs.wadoRoot}/studies/${studyUid}/series/${seriesUid}/metadata`
  const headers: Record<string, string> = { accept: 'application/dicom+json', authorization }
  let response: Response
  try {
    response = await fetch(url, { headers, credentials: 'omit', cache: 'no-store', referrerPolicy: 'no-referrer' })
  } catch {
    throw new DicomwebError('network', `Could not reach the PACS at ${new URL(url).origin} to retrieve the series.`)
  }
  if (!response.ok) throw new DicomwebError('server', `The PACS refused to send series metadata (HTTP ${response.status}).`, response.status)
  let json: unknown
  try {
    json = await response.json()
  } catch {
    throw new DicomwebError('bad-response', 'The PACS sent series metadata that is not DICOM JSON.')
  }
  if (!Array.isArray(json)) throw new DicomwebError('bad-response', 'The PACS sent series metadata that is not DICOM JSON.')
  return json as DicomJsonDataset[]
}

/** One instance's Part 10 bytes by WADO-RS, fetched by this browser from the PACS (a SEG: the mask never passes our server). */
async function retrieveInstance(pacs: PacsServerDto, instance: DicomInstance): Promise<ArrayBuffer> {
  const url = `${pacs.wadoRoot}/studies/${instance.studyInstanceUid}/series/${instance.seriesInstanceUid}/instances/${instance.sopInstanceUid}`
  const headers: Record<string, string> = { accept: 'multipart/related; type="application/dicom"; transfer-syntax=*', authorization: await pacsAuthorization(pacs.id) }
  let response: Response
  try {
    response = await fetch(url, { headers, credentials: 'omit', cache: 'no-store', referrerPolicy: 'no-referrer' })
  } catch {
    throw new DicomwebError('network', `Could not reach the PACS at ${new URL(url).origin} to retrieve the segmentation.`)
  }
  if (!response.ok) throw new DicomwebError('server', `The PACS refused to send the segmentation (HTTP ${response.status}).`, response.status)
  const part = firstMultipartPart(new Uint8Array(await response.arrayBuffer()), response.headers.get('content-type') ?? '')
  return part.slice().buffer
}

/** The PACS's address and this user's token for it, asked for together; a PACS no longer configured is the error shown first. */
async function pacsAndAuthorization(pacsId: string): Promise<[PacsServerDto, string]> {
  const [pacs, authorization] = await Promise.allSettled([pacsById(pacsId), pacsAuthorization(pacsId)])
  if (pacs.status === 'rejected') throw pacs.reason
  if (authorization.status === 'rejected') throw authorization.reason
  return [pacs.value, authorization.value]
}

export async function openPacsStudy(pacsId: string, studyUid: string): Promise<StudySet> {
  // User Timing: the PACS counterpart of parallax:files-selected, what `npm run bench` times
  // the viewer's first-image and series-ready marks from.
  performance.mark('parallax:study-requested')
  // Started now, not awaited: a loader that cannot start is the viewer's error to show.
  cornerstoneReady().catch(() => undefined)
  const [pacs, authorization] = await pacsAndAuthorization(pacsId)
  setRootAuthorization(pacs.wadoRoot, () => pacsAuthorization(pacs.id))
  const series = await searchSeries({ qidoRoot: pacs.qidoRoot, authHeader: authorization }, studyUid)
  const metadata = await Promise.all(series.map((entry) => seriesMetadata(pacs, authorization, studyUid, entry.seriesInstanceUid)))
  const instances: DicomInstance[] = []
  const metadataByInstance = new Map<string, DicomJsonDataset>()
  for (const dataset of metadata.flat()) {
    const instance = instanceFromDicomJson(dataset, instances.length)
    if (!instance) continue
    instances.push(instance)
    metadataByInstance.set(instance.sopInstanceUid, dataset)
  }
  // SEG series beside the study are offered for loading onto the series they segment, not shown as images.
  const segmentations: SegmentationObject[] = instances.filter(isSegmentation).map((instance) => ({ instance, bytes: () => retrieveInstance(pacs, instance) }))
  const patients = groupStudies(instances.filter((instance) => !isSegmentation(instance)))
  const imageIdsBySeries = new Map<string, string[]>()
  for (const study of patients.flatMap((patient) => patient.studies)) {
    for (const entry of study.series) {
      const imageIds = entry.instances
        .filter((instance) => instance.hasPixelData)
        .flatMap((instance) =>
          Array.from({ length: instance.numberOfFrames }, (_, frame) => {
            const imageId = `wadors:${pacs.wadoRoot}/studies/${study.studyInstanceUid}/series/${entry.seriesInstanceUid}/instances/${instance.sopInstanceUid}/frames/${frame + 1}`
            wadors.metaDataManager.add(imageId, metadataByInstance.get(instance.sopInstanceUid) as never)
            return imageId
          }),
        )
      imageIdsBySeries.set(entry.seriesInstanceUid, imageIds)
    }
  }
  const set: StudySet = {
    result: { patients, rejected: [], ignored: [], segmentations: segmentations.map((entry) => entry.instance) },
    imageIdsBySeries,
    segmentations,
    source: 'dicomweb',
    sourceRef: pacs.id,
  }
  return set
}
