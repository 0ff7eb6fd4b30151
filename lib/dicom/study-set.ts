import type { DicomInstance, DicomSeries, IngestResult } from './types'

// One type for every study the viewer holds, wherever it came from: local files, a demo
// study (fetched whole, opened like local files) or a PACS (DICOMweb). Pure: the image ids
// are strings for Cornerstone's loaders, registered by whoever built the set.

export type StudySource = 'local' | 'dicomweb' | 'demo'

export interface StudySet {
  result: IngestResult
  /** Cornerstone image ids (one per frame) for each series, in display order. */
  imageIdsBySeries: Map<string, string[]>
  source: StudySource
  /** The PACS id (dicomweb) or demo key (demo): where to get the study again. */
  sourceRef: string | null
  /** The segmentation objects (SEG) beside the series, loaded on request onto the series they segment. */
  segmentations: SegmentationObject[]
  /**
   * Local files are accepted from their first bytes and checked whole as they are decoded:
   * this resolves, once every file is checked, to the set without the files refused then
   * (which join `result.rejected`), or to null when none was. Absent: nothing is pending.
   */
  revised?: Promise<StudySet | null>
}

/** A SEG the set holds or can retrieve: its metadata, and its bytes (from the file, or from the PACS by this browser). */
export interface SegmentationObject {
  instance: DicomInstance
  bytes(): Promise<ArrayBuffer>
}

export type StudyOrigin = Pick<StudySet, 'source' | 'sourceRef'>

export interface SeriesEntry {
  series: DicomSeries
  first: DicomInstance
}

/** Every series with at least one instance, in display order. */
export function allSeries(result: IngestResult): SeriesEntry[] {
  return result.patients.flatMap((patient) =>
    patient.studies.flatMap((study) => study.series.filter((series) => series.instances.length > 0).map((series) => ({ series, first: series.instances[0]! }))),
  )
}

export function seriesOfStudy(result: IngestResult, studyInstanceUid: string): SeriesEntry[] {
  return allSeries(result).filter((candidate) => candidate.first.studyInstanceUid === studyInstanceUid)
}
