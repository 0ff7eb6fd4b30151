// Ingestion of a batch of dropped files: zip archives are expanded (with limits), index and
// OS metadata files skipped, everything else parsed and validated, and the instances that
// pass grouped into patients, studies and series. One bad file never stops the rest: it
// becomes a rejection with a reason.
import { isDicomdir } from './dicomdir'
import { groupStudies } from './group-studies'
import { parseInstance } from './parse-instance'
import { isSegmentation } from './segmentation-storage'
import { hasDicmMarker } from './part10'
import type { DicomInstance, DicomRejection, IngestResult } from './types'
import { DEFAULT_ZIP_LIMITS, extractZip, isZip, type ZipLimits } from './zip'

export interface IngestInput {
  name: string
  bytes: Uint8Array
  /** The instance read from the file's head alone (parseInstanceHeader); `bytes` is then that head. */
  header?: DicomInstance
}

/** A zip entry that became an instance; `fileIndex` is the one its instance carries. */
export interface ExtractedFile {
  fileIndex: number
  name: string
  bytes: Uint8Array
}

export interface IngestOptions {
  maxInflatedBytes?: number
  zipLimits?: ZipLimits
  /**
   * Files (by input index) given with their `header` that the whole-file read then refused,
   * with the reason: rejected with it, so that a duplicate of one (same SOP Instance UID)
   * is kept in its place, as when every file was read whole.
   */
  refused?: ReadonlyMap<number, string>
}

export interface IngestOutput {
  result: IngestResult
  /** Bytes of the archive entries that were accepted: the only copy of their pixel data. */
  extracted: ExtractedFile[]
}

// Files that operating systems scatter through folders and archives: never DICOM, and
// listing each as rejected would bury the rejections that matter.
const OS_METADATA_NAMES = new Set(['.DS_Store', 'Thumbs.db', 'desktop.ini'])

export function isOsMetadata(path: string): boolean {
  const name = path.slice(path.lastIndexOf('/') + 1)
  // '._name' files and '__MACOSX/' folders hold macOS resource forks in copies and zips.
  return OS_METADATA_NAMES.has(name) || name.startsWith('._') || path.split('/').includes('__MACOSX')
}

export function ingestFiles(files: readonly IngestInput[], options: IngestOptions = {}): IngestOutput {
  const instances: DicomInstance[] = []
  const rejected: DicomRejection[] = []
  const ignored: string[] = []
  const extracted: ExtractedFile[] = []
  let nextArchiveIndex = files.length

  const ingestOne = (bytes: Uint8Array, source: string, fileIndex: number): boolean => {
    if (isOsMetadata(source) || isDicomdir(bytes)) {
      ignored.push(source)
      return false
    }
    const parsed = parseInstance(bytes, source, fileIndex, { maxInflatedBytes: options.maxInflatedBytes })
    if (!parsed.ok) {
      rejected.push(parsed.rejection)
      return false
    }
    instances.push(parsed.instance)
    return true
  }

  files.forEach(({ name, bytes, header }, index) => {
    if (header) {
      const refusal = options.refused?.get(index)
      if (isOsMetadata(name) || isDicomdir(bytes)) ignored.push(name)
      else if (refusal !== undefined) rejected.push({ source: name, reason: refusal })
      else instances.push(header)
      return
    }
    if (hasDicmMarker(bytes) || !isZip(bytes)) {
      ingestOne(bytes, name, index)
      return
    }
    const archive = extractZip(bytes, options.zipLimits ?? DEFAULT_ZIP_LIMITS)
    if (!archive.ok) {
      rejected.push({ source: name, reason: archive.reason })
      return
    }
    for (const entry of archive.rejected) rejected.push({ source: `${name}/${entry.name}`, reason: entry.reason })
    for (const entry of archive.entries) {
      const source = `${name}/${entry.name}`
      // One level only: nested archives would multiply the expansion the limits bound.
      if (!hasDicmMarker(entry.bytes) && isZip(entry.bytes)) {
        rejected.push({ source, reason: 'Zip archives inside zip archives are not opened' })
        continue
      }
      const fileIndex = nextArchiveIndex++
      if (ingestOne(entry.bytes, source, fileIndex)) extracted.push({ fileIndex, name: source, bytes: entry.bytes })
    }
  })

  // The same instance dropped twice (a folder and its zip, say) would show as a duplicate slice.
  const unique = new Map<string, DicomInstance>()
  for (const instance of instances) {
    const first = unique.get(instance.sopInstanceUid)
    if (first) rejected.push({ source: instance.source, reason: `Duplicate of ${first.source} (same SOP Instance UID)` })
    else unique.set(instance.sopInstanceUid, instance)
  }
  const kept = new Set([...unique.values()].map((instance) => instance.fileIndex))
  const accepted = [...unique.values()]

  return {
    result: { patients: groupStudies(accepted.filter((instance) => !isSegmentation(instance))), rejected, ignored, segmentations: accepted.filter(isSegmentation) },
    extracted: extracted.filter((file) => kept.has(file.fileIndex)),
  }
}
