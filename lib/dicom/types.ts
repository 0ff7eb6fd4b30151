// The DICOM ingestion contract shared by the parser (worker), the study browser and the
// viewer. Only metadata crosses these types: pixel data stays in the File it came from.
import type { ImagePlaneAttributes, Vec3 } from './geometry'

/**
 * One parsed, validated instance (a single- or multi-frame image, or a non-image object),
 * with its Image Plane attributes (geometry.ts).
 */
export interface DicomInstance extends ImagePlaneAttributes {
  /** Where the bytes came from: the file's relative path, or `archive.zip/inner/path`. */
  source: string
  /**
   * Index into the list of files handed to ingestion. Entries extracted from a zip are
   * numbered after those files, in extraction order; ingestFiles returns their bytes
   * under the same index (`extracted`).
   */
  fileIndex: number
  sopInstanceUid: string
  sopClassUid: string
  transferSyntaxUid: string
  studyInstanceUid: string
  seriesInstanceUid: string
  patientName: string
  patientId: string
  patientBirthDate: string
  patientSex: string
  studyDate: string
  studyTime: string
  studyDescription: string
  accessionNumber: string
  studyId: string
  referringPhysicianName: string
  /** FrameOfReferenceUID: findings are located in this patient coordinate system. */
  frameOfReferenceUid: string
  seriesDescription: string
  seriesNumber: number | null
  modality: string
  instanceNumber: number | null
  rows: number
  columns: number
  /** NumberOfFrames (1 when absent) for images; 0 for objects without pixel data. */
  numberOfFrames: number
  samplesPerPixel: number
  photometricInterpretation: string
  bitsAllocated: number
  pixelRepresentation: number
  hasPixelData: boolean
  sliceThickness: number | null
  rescaleSlope: number
  rescaleIntercept: number
  windowCenter: number | null
  windowWidth: number | null
  /** What was wrong with the file but did not stop it from opening. */
  warnings: InstanceWarning[]
}

export type InstanceWarningKind =
  /** File meta information without the 128-byte preamble and 'DICM'. */
  | 'no-preamble'
  /** A bare data set: no preamble, no file meta information. */
  | 'no-file-meta'
  /** No Study Instance UID: the instance is grouped under a generated one. */
  | 'generated-study-uid'

export interface InstanceWarning {
  kind: InstanceWarningKind
  /** In words a user understands. */
  message: string
}

/** A file that was not loaded, and why, in words a user understands. */
export interface DicomRejection {
  source: string
  reason: string
}

export type GeometryWarningKind =
  | 'irregular-spacing'
  | 'gap'
  | 'duplicate-position'
  | 'mixed-orientation'
  | 'no-geometry'
  | 'mixed-size'
  /** Slices step sideways as well as along the normal (gantry tilt): not a rectilinear volume. */
  | 'sheared'
  /** Multi-frame images: per-frame positions are not evaluated, so no volume is offered. */
  | 'multi-frame'

export interface GeometryWarning {
  kind: GeometryWarningKind
  message: string
}

export interface SeriesGeometry {
  /** Unit normal of the slices (row × column direction cosines). */
  normal: Vec3 | null
  /** Median distance between adjacent slices along the normal, in mm. */
  sliceSpacing: number | null
  /** True when all images share one orientation and size and are evenly spaced: MPR-ready. */
  isVolume: boolean
  warnings: GeometryWarning[]
}

export interface DicomSeries {
  seriesInstanceUid: string
  seriesNumber: number | null
  seriesDescription: string
  modality: string
  /** Instances in display order: by ImagePositionPatient along the normal, else InstanceNumber. */
  instances: DicomInstance[]
  /** Total frames over all instances. */
  frameCount: number
  geometry: SeriesGeometry
}

export interface DicomStudy {
  studyInstanceUid: string
  /** True when the files carried no Study Instance UID and this one was generated (generated-uid.ts). */
  generatedUid: boolean
  studyDate: string
  studyTime: string
  studyDescription: string
  accessionNumber: string
  series: DicomSeries[]
}

export interface DicomPatient {
  patientId: string
  patientName: string
  studies: DicomStudy[]
}

export interface IngestResult {
  patients: DicomPatient[]
  rejected: DicomRejection[]
  /** Files skipped on purpose (DICOMDIR index files, OS metadata such as .DS_Store). */
  ignored: string[]
  /** Segmentation objects (SEG): masks on another series, kept out of `patients` (not images to show). */
  segmentations: DicomInstance[]
}
