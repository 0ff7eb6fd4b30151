'use client'
import { wadors } from '@cornerstonejs/dicom-image-loader'
import { groupStudies } from '../dicom/group-studies'
import type { DicomInstance } from '../dicom/types'
import { instanceFromDicomJson, type DicomJsonDataset } from '../dicomweb/instance-metadata'
import { DicomwebError, searchSeries } from '../dicomweb/qido'
import type { PacsServerDto } from '../dicomweb/schema'
import { setRootAuthorization } from '../viewer/request-authorization.client'
import type { StudySet } from '../dicom/study-set'
import { pacsById } from '../dicomweb/pacs.client'
import { pacsAuthorization } from '../dicomweb/pacs-token.client'

// Opens a study from a PACS: series from QIDO-RS, instance metadata from WADO-RS, pixels
// later by Cornerstone's WADO-RS loader, all fetched by this browser straight from the
// PACS with this user's access token. Our server only says where the PACS is, and issues the token.

async function seriesMetadata(pacs: PacsServerDto, studyUid: string, seriesUid: string): Promise<DicomJsonDataset[]> {
  const url = `${pacs.wadoRoot}/studies/${studyUid}/series/${seriesUid}/metadata`
  const headers: Record<string, string> = { accept: 'application/dicom+json', authorization: await pacsAuthorization(pacs.id) }
  let response: Response
  try {
    response = await fetch(url, { headers, credentials: 'omit', cache: 'no-store', referrerPolicy: 'no-referrer' })
  } catch {
    throw new DicomwebError('network', `Could not reach the PACS at ${new URL(url).origin} to retrieve the series.`)
  }
  if (!response.ok) throw new DicomwebError('server', `The PACS refused to send series metadata (HTTP ${response.status}).`, response.status)
  const json = (await response.json()) as unknown
  if (!Array.isArray(json)) throw new DicomwebError('bad-response', 'The PACS sent series metadata that is not DICOM JSON.')
  return json as DicomJsonDataset[]
}

export async function openPacsStudy(pacsId: string, studyUid: string): Promise<StudySet> {
  const pacs = await pacsById(pacsId)
  setRootAuthorization(pacs.wadoRoot, () => pacsAuthorization(pacs.id))
  const series = await searchSeries({ qidoRoot: pacs.qidoRoot, authHeader: await pacsAuthorization(pacs.id) }, studyUid)
  const instances: DicomInstance[] = []
  const metadataByInstance = new Map<string, DicomJsonDataset>()
  for (const entry of series) {
    for (const dataset of await seriesMetadata(pacs, studyUid, entry.seriesInstanceUid)) {
      const instance = instanceFromDicomJson(dataset, instances.length)
      if (!instance) continue
      instances.push(instance)
      metadataByInstance.set(instance.sopInstanceUid, dataset)
    }
  }
  const patients = groupStudies(instances)
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
  return { result: { patients, rejected: [], ignored: [] }, imageIdsBySeries, source: 'dicomweb', sourceRef: pacs.id }
}
