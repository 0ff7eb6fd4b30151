import type { DicomInstance } from './types'

// DICOM Segmentation objects (SEG) carry masks, not images: ingestion keeps them out of the
// series a viewer shows in grey scale, and the viewer loads them onto the series they segment.

export const SEGMENTATION_STORAGE = '1.2.840.10008.5.1.4.1.1.66.4'

export function isSegmentation(instance: Pick<DicomInstance, 'sopClassUid'>): boolean {
  return instance.sopClassUid === SEGMENTATION_STORAGE
}
