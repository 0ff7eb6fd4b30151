import 'client-only'
import { metaData } from '@cornerstonejs/core'
import { wadouri } from '@cornerstonejs/dicom-image-loader'
import dicomParser from 'dicom-parser'

// Cornerstone's file loader keeps each file's naturalized metadata, compressed Pixel Data
// included, for as long as the page lives: beside the decoded image in the image cache,
// that is the series a second time (a third more memory for a JPEG-LS CT). Once a
// single-frame file's image is decoded and cached, its Pixel Data is dropped from the
// metadata; the rest of the metadata stays, as the viewport and tools read it. Should the
// image cache evict the image, its next load reads the file again and puts the Pixel Data
// back first. (Multi-frame files keep theirs: their other frames decode from it.)

const released = new Set<string>()

type Natural = Record<string, unknown>

function naturalOf(imageId: string): Natural | undefined {
  return metaData.get('naturalized', imageId) as Natural | undefined
}

function isSingleFrameFile(imageId: string): boolean {
  return imageId.startsWith('dicomfile:') && !imageId.includes('?')
}

/** After the image is decoded and cached. */
export function releasePixelData(imageId: string): void {
  if (!isSingleFrameFile(imageId)) return
  const natural = naturalOf(imageId)
  if (!natural || natural.PixelData === undefined) return
  delete natural.PixelData
  released.add(imageId)
}

/** Before a load: the Pixel Data of a released file (whose image was evicted since), from the file again. */
export async function restorePixelData(imageId: string): Promise<void> {
  const natural = released.has(imageId) ? naturalOf(imageId) : undefined
  if (!natural) return
  const file = wadouri.fileManager.get(Number(imageId.slice('dicomfile:'.length))) as Blob | undefined
  if (!file) return
  const bytes = new Uint8Array(await file.arrayBuffer())
  const pixelData = dicomParser.parseDicom(bytes).elements.x7fe00010
  if (!pixelData) return
  // One frame: its fragments (the loader joins them), or the native pixel run.
  natural.PixelData = pixelData.encapsulatedPixelData
    ? [(pixelData.fragments ?? []).map((fragment) => bytes.subarray(fragment.position, fragment.position + fragment.length))]
    : [bytes.subarray(pixelData.dataOffset, pixelData.dataOffset + pixelData.length)]
  released.delete(imageId)
}
