// The DICOM SEG contract, independent of how the caller keeps its labels: the writer takes
// one binary mask per segment, the reader gives one back, so overlapping segments (which a
// labelmap keeps on separate layers) pass through unchanged.
import type { Code, Rgb } from '../annotation/labelmap-document'
import type { DicomInstance } from '../dicom/types'

export { SEGMENTATION_STORAGE } from '../dicom/segmentation-storage'

/** What a SEG needs of each image of the series it segments (a DicomInstance has it all). */
export type SegSourceInstance = Pick<
  DicomInstance,
  | 'sopInstanceUid'
  | 'sopClassUid'
  | 'studyInstanceUid'
  | 'seriesInstanceUid'
  | 'frameOfReferenceUid'
  | 'patientName'
  | 'patientId'
  | 'patientBirthDate'
  | 'patientSex'
  | 'studyDate'
  | 'studyTime'
  | 'studyId'
  | 'accessionNumber'
  | 'referringPhysicianName'
  | 'studyDescription'
  | 'rows'
  | 'columns'
  | 'imagePositionPatient'
  | 'imageOrientationPatient'
  | 'pixelSpacing'
  | 'sliceThickness'
>

/** The referenced series: its images in display order (slice k of a mask is instances[k]). */
export interface SegSourceSeries {
  seriesInstanceUid: string
  instances: readonly SegSourceInstance[]
}

/**
 * How a segment was made (PS3.3 C.8.20.2): by hand; by a person with an algorithm's help
 * (a model's output that someone edited); or by an algorithm alone (unedited model output).
 */
export type SegAlgorithm = { type: 'MANUAL' } | { type: 'SEMIAUTOMATIC' | 'AUTOMATIC'; name: string; version: string }

export interface SegSegmentInfo {
  /** The caller's segment number (the SEG renumbers from 1: see SegWriteResult.segmentNumbers). */
  number: number
  label: string
  color: Rgb
  /** SNOMED CT segmented property category and type; null is written as "Tissue". */
  category: Code | null
  type: Code | null
  algorithm: SegAlgorithm
}

/** A binary volume, columns × rows × slices on the source series' grid, 1 inside. */
export type SegMask = Uint8Array

/** One segment read from a SEG: its SEG number (1…), metadata and mask on the given series. */
export interface SegReadSegment extends SegSegmentInfo {
  mask: SegMask
  voxels: number
}

export class SegError extends Error {
  constructor(
    readonly kind: 'series-not-loaded' | 'not-a-segmentation' | 'unsupported' | 'grid-mismatch' | 'nothing-to-write',
    message: string,
  ) {
    super(message)
    this.name = 'SegError'
  }
}
