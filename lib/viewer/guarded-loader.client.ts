import 'client-only'
import { imageLoader, metaData, type Types } from '@cornerstonejs/core'
import { wadouri } from '@cornerstonejs/dicom-image-loader'
import { DicomDecodeError, decodedImageProblem, toDecodeError } from '../dicom/decoded-image'
import { expectedImageOf, wholeFileCheck } from '../dicom/ingest.client'
import { releasePixelData, restorePixelData } from './pixel-data-release.client'

// Cornerstone's loader for dropped files ('dicomfile:'), wrapped so that every image load
// settles as an image the viewport can draw or as a DicomDecodeError naming the file:
// - a decoded image of another size, or with too few values, than its header (the
//   codestream or dcmjs read it otherwise than ingestion did) is refused here; drawn, it
//   throws inside the viewport (a `setOrigin` TypeError on image data never created);
// - whatever the loader rejects with (strings, numbers, `{ error }` objects) becomes an Error;
// - a load that never settles (createImage swallows throws in its own `.then`) ends after
//   DECODE_DEADLINE_MS, long enough for hundreds of slices queued in the decode workers;
// - a file ingestion accepted from its head is checked whole first (wholeFileCheck), and
//   one that fails is refused with ingestion's reason;
// - once decoded and cached, the file's compressed pixel data is dropped from the metadata
//   cache (pixel-data-release.client.ts): the image cache holds the decoded pixels.

const DECODE_DEADLINE_MS = 120_000

function problemOf(imageId: string, image: Types.IImage): string | null {
  const plane = metaData.get('imagePlaneModule', imageId) as { rows?: number; columns?: number } | undefined
  const expected = expectedImageOf(imageId) ?? { rows: plane?.rows ?? image.rows, columns: plane?.columns ?? image.columns }
  const pixels = image.voxelManager?.getScalarData?.() ?? image.getPixelData?.()
  const shape = { rows: image.rows, columns: image.columns, components: image.numberOfComponents, rgba: image.rgba, length: pixels?.length ?? 0 }
  const problem = decodedImageProblem(expected, shape)
  if (problem) return problem
  // The viewport sizes its image data from the metadata, and fills it from the pixels.
  if (plane && (plane.rows !== image.rows || plane.columns !== image.columns))
    return `its metadata says ${plane.columns}×${plane.rows} pixels, its pixels ${image.columns}×${image.rows}`
  return null
}

async function decode(imageId: string, source: string, options?: Record<string, unknown>): Promise<Types.IImage> {
  const refusal = await wholeFileCheck(imageId)
  if (refusal !== null) throw new DicomDecodeError(`${source} was not loaded: ${refusal}`)
  await restorePixelData(imageId)
  const image = await wadouri.loadImageFromNaturalizedMetadata(imageId, options).promise
  const problem = problemOf(imageId, image)
  if (problem) throw new DicomDecodeError(`${source} cannot be shown: ${problem}`)
  releasePixelData(imageId)
  return image
}

function guardedFileLoader(imageId: string, options?: Record<string, unknown>): Types.IImageLoadObject {
  const source = expectedImageOf(imageId)?.source ?? imageId
  const promise = new Promise<Types.IImage>((resolve, reject) => {
    const timer = setTimeout(() => reject(new DicomDecodeError(`${source} could not be decoded: no result after ${DECODE_DEADLINE_MS / 1000} s`)), DECODE_DEADLINE_MS)
    decode(imageId, source, options).then(
      (image) => {
        clearTimeout(timer)
        resolve(image)
      },
      (error: unknown) => {
        clearTimeout(timer)
        reject(toDecodeError(error, source))
      },
    )
  })
  return { promise }
}

/** Replaces the 'dicomfile:' loader that initImageLoader registered. */
export function registerGuardedFileLoader(): void {
  imageLoader.registerImageLoader('dicomfile', guardedFileLoader)
}
