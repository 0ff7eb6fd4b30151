// DICOM SEG to and from the workspace's labelmap documents (pure: lib/seg does the DICOM,
// this decides which series a SEG goes on and how a document is written).
import type { LabelmapDocument } from '../annotation/labelmap-document'
import type { DicomInstance, DicomSeries } from '../dicom/types'
import { readLabelmapSeg, writeLabelmapSeg, type LabelmapSegRead } from '../seg/labelmap-seg'
import { SegError } from '../seg/types'
import type { SegWriteResult } from '../seg/write-seg'

export interface SegOnSeries {
  series: DicomSeries
  read: LabelmapSegRead
}

/** A series a SEG can lie on: single-frame images, one per slice (lib/seg's masks are slice by slice). */
function placeable(series: DicomSeries): boolean {
  return series.instances.length > 0 && series.instances.every((instance) => instance.hasPixelData && instance.numberOfFrames === 1)
}

/**
 * Reads a SEG onto the held series it refers to. Series of its study and frame of reference
 * are tried first; a series it does not refer to is passed over. Throws the SegError a user
 * sees ("… refers to series X, which is not loaded") when none of them is that series.
 */
export function readSegOnto(bytes: ArrayBuffer | Uint8Array, seg: Pick<DicomInstance, 'studyInstanceUid' | 'frameOfReferenceUid'>, held: readonly DicomSeries[]): SegOnSeries {
  const rank = (series: DicomSeries) =>
    (series.instances[0]!.studyInstanceUid === seg.studyInstanceUid ? 0 : 2) + (series.instances[0]!.frameOfReferenceUid === seg.frameOfReferenceUid ? 0 : 1)
  const candidates = held.filter(placeable).sort((a, b) => rank(a) - rank(b))
  let notLoaded: SegError | null = null
  for (const series of candidates) {
    try {
      return { series, read: readLabelmapSeg(bytes, series) }
    } catch (error) {
      if (!(error instanceof SegError && error.kind === 'series-not-loaded')) throw error
      notLoaded = error
    }
  }
  if (notLoaded) throw notLoaded
  // Nothing held to try: the reader names the series the SEG refers to.
  readLabelmapSeg(bytes, { seriesInstanceUid: '', instances: [] })
  throw new SegError('series-not-loaded', 'This segmentation refers to a series that is not loaded.')
}

/**
 * Whether a model's segment counts as edited (SEMIAUTOMATIC rather than AUTOMATIC): the
 * workspace marked it (the editing tools and the interactive model mark the segments they
 * change), or the document has an edit on its undo stack, which counts all its model segments
 * as edited: the history does not say which segment an edit changed (an edit made through
 * the document itself marks nothing), and calling an edited output AUTOMATIC would be the
 * worse error. Undone back to the model's output and unmarked, it is AUTOMATIC again.
 */
export function segmentEdited(document: LabelmapDocument, marked: ReadonlySet<number> | null): (segmentNumber: number) => boolean {
  return (segmentNumber) => document.canUndo || (marked?.has(segmentNumber) ?? false)
}

export interface SegExport extends SegWriteResult {
  fileName: string
}

export function exportSeg(document: LabelmapDocument, series: DicomSeries, options: { author: string; createdAt: Date; edited: (segmentNumber: number) => boolean }): SegExport {
  const written = writeLabelmapSeg(document, series, {
    seriesDescription: `Segmentation of ${series.seriesDescription || series.modality || 'series'}`.slice(0, 64),
    createdAt: options.createdAt,
    author: options.author,
    edited: options.edited,
  })
  return { ...written, fileName: `parallax-seg-${written.sopInstanceUid}.dcm` }
}
