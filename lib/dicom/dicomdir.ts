// DICOMDIR: the index file on DICOM media (CDs, USB exports). It describes the other
// files but holds no images, so ingestion skips it (the files it lists are read directly);
// readDicomdir lists the files it references, for callers that want the media's layout.
import dicomParser from 'dicom-parser'
import { checkDataSetIntegrity } from './dataset-integrity'
import { hasDicmMarker } from './part10'
import { errorMessage } from './read-error'
import { TAG } from './tags'

export const MEDIA_STORAGE_DIRECTORY_SOP_CLASS = '1.2.840.10008.1.3.10'

/** True when the file meta says Media Storage Directory; reads the meta header only. */
export function isDicomdir(bytes: Uint8Array): boolean {
  if (!hasDicmMarker(bytes)) return false
  try {
    return dicomParser.readPart10Header(bytes).string(TAG.mediaStorageSopClassUid) === MEDIA_STORAGE_DIRECTORY_SOP_CLASS
  } catch {
    return false
  }
}

export type DicomdirResult = { ok: true; fileIds: string[] } | { ok: false; reason: string }

/**
 * The Referenced File IDs (0004,1500) of the directory records, in record order, as
 * relative paths ('77654033/CR1/6154'): the standard stores each as up to eight path
 * components separated by backslashes.
 */
export function readDicomdir(bytes: Uint8Array): DicomdirResult {
  if (!isDicomdir(bytes)) return { ok: false, reason: 'Not a DICOMDIR' }
  try {
    // The standard requires Explicit VR Little Endian here; refusing to inflate also keeps
    // dicom-parser from its own, unbounded, zlib path under Node.
    const dataSet = dicomParser.parseDicom(bytes, {
      inflater: () => {
        throw new Error('a DICOMDIR must not be deflated')
      },
    })
    checkDataSetIntegrity(dataSet)
    const records = dataSet.elements[TAG.directoryRecordSequence]?.items ?? []
    const fileIds = records.flatMap((record) => {
      const fileId = record.dataSet?.string(TAG.referencedFileId)
      return fileId
        ? [
            fileId
              .split('\\')
              .map((component) => component.trim())
              .join('/'),
          ]
        : []
    })
    return { ok: true, fileIds }
  } catch (error) {
    return { ok: false, reason: `DICOMDIR could not be read (${errorMessage(error)})` }
  }
}
