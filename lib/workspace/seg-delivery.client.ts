'use client'
import type { LabelmapDocument } from '../annotation/labelmap-document'
import type { DicomSeries } from '../dicom/types'
import { pacsById } from '../dicomweb/pacs.client'
import { pacsAuthorization } from '../dicomweb/pacs-token.client'
import { storeInstance } from '../dicomweb/stow.client'
import { downloadBlob } from '../http/download.client'
import { sha256Hex } from '../inference/model-integrity'
import { exportSeg, type SegExport } from './seg-document'

// One way out for a SEG made in this browser, shared by the SEG panel and a project task:
// write it, hash it, then store it to the PACS by STOW-RS or download it. The caller's
// record (an audit event) is sent first; a PACS store waits for it, so a store that fails
// leaves an attempt on record, never a stored SEG without one. A download follows at once.

export interface SegDelivery {
  written: SegExport
  sha256: string
  /** The PACS it was stored to; null for a download. */
  pacs: { id: string; name: string } | null
  /** For the user: where it went. */
  status: string
}

export interface SegDeliveryOptions {
  document: LabelmapDocument
  series: DicomSeries
  author: string
  edited: (segmentNumber: number) => boolean
  /** The PACS to store to; null downloads the file. */
  pacsId: string | null
  record?: (delivery: Omit<SegDelivery, 'status'>) => Promise<unknown>
}

export async function deliverSeg({ document, series, author, edited, pacsId, record }: SegDeliveryOptions): Promise<SegDelivery> {
  const written = exportSeg(document, series, { author, createdAt: new Date(), edited })
  const pacs = pacsId ? await pacsById(pacsId) : null
  const sha256 = await sha256Hex(written.bytes)
  const recorded = record?.({ written, sha256, pacs: pacs && { id: pacs.id, name: pacs.name } })
  if (pacs) {
    await recorded
    await storeInstance(pacs.wadoRoot, await pacsAuthorization(pacs.id, 'write'), written.bytes, 'the segmentation')
    return { written, sha256, pacs: { id: pacs.id, name: pacs.name }, status: `Stored to ${pacs.name}.` }
  }
  downloadBlob(written.fileName, new Blob([written.bytes as BlobPart], { type: 'application/dicom' }))
  return { written, sha256, pacs: null, status: `Saved ${written.fileName}.` }
}
