// The viewer's decode path, run in Node: the same Cornerstone 5.14 modules the browser
// runs, in the same order as `loadImageFromNaturalizedMetadata` and `createImage` of
// @cornerstonejs/dicom-image-loader. Metadata is read by @cornerstonejs/metadata (dcmjs'
// AsyncDicomReader, on the page's main thread in the browser), frames are decoded by
// `decodeImageFrame` from decodeImageFrameWorker.js (what the loader's web workers run,
// with the @cornerstonejs/codec-* WebAssembly codecs), and the decoded frame is then
// post-processed as createImage does on the main thread.
//
// The browser differs in one way that matters here: createImage runs its post-processing
// inside a `.then` whose throws nobody catches, so a throw there is an uncaught page error
// (and a load that never settles). `postProcess` reports such throws as `uncaught`.
import type { DecodedImageShape } from '../../lib/dicom/decoded-image'
import type { DicomInstance } from '../../lib/dicom/types'
import {
  compressedFrameOf,
  decodeOptionsFor,
  imageFrameOf,
  loaderModules,
  withLoaderInstance,
  type LoaderFrame as Frame,
  type LoaderModules,
} from '../../lib/dicom/viewer-decoder.server'

export { prepareWasmDirectory } from '../../lib/dicom/viewer-decoder.server'

/** What the browser would do with one frame. */
export type FrameOutcome =
  /** Decoded, and the decoded image is what the header said. */
  | ({ kind: 'decoded' } & DecodedImageShape)
  /** The load rejected: the viewer shows it as a file that could not be decoded. */
  | { kind: 'rejected'; stage: 'metadata' | 'frame' | 'decode'; message: string }
  /** A throw the browser would not catch (createImage's post-processing). */
  | { kind: 'uncaught'; message: string }

/** Decodes the listed frames of one accepted instance the way the viewer would. */
export async function decodeLikeViewer(bytes: Uint8Array, instance: DicomInstance, frames: number[], wasmBasePath: string): Promise<FrameOutcome[]> {
  const loader = await loaderModules()
  let registered = false
  try {
    return await withLoaderInstance(bytes, async (imageIdOf) => {
      registered = true
      const outcomes: FrameOutcome[] = []
      for (const frame of frames) outcomes.push(await decodeFrame(loader, instance.numberOfFrames > 1 ? imageIdOf(frame) : imageIdOf(), frame, wasmBasePath))
      return outcomes
    })
  } catch (error) {
    if (registered) throw error
    return frames.map(() => ({ kind: 'rejected', stage: 'metadata', message: messageOf(error) }))
  }
}

async function decodeFrame(m: LoaderModules, imageId: string, frameIndex: number, wasmBasePath: string): Promise<FrameOutcome> {
  let frame: Frame
  let syntax: string
  let pixelData: Uint8Array
  try {
    ;({ pixelData, transferSyntaxUid: syntax } = compressedFrameOf(imageId, frameIndex))
    frame = imageFrameOf(imageId)
  } catch (error) {
    return { kind: 'rejected', stage: 'frame', message: messageOf(error) }
  }
  const options = decodeOptionsFor(m, imageId)
  let decoded: Frame
  try {
    decoded = await m.decodeImageFrame(frame, syntax, pixelData, { wasmBasePath }, options)
  } catch (error) {
    return { kind: 'rejected', stage: 'decode', message: messageOf(error) }
  }
  try {
    return { kind: 'decoded', ...postProcess(m, decoded) }
  } catch (error) {
    return { kind: 'uncaught', message: messageOf(error) }
  }
}

/** createImage's main-thread steps after decoding, up to the image it resolves with. */
function postProcess(m: LoaderModules, frame: Frame): DecodedImageShape {
  m.setPixelDataType(frame)
  const { rows, columns } = frame
  const color = m.isColorImage(frame.photometricInterpretation)
  let components = frame.samplesPerPixel as number | undefined
  // Stack viewports ask for RGB, not RGBA (StackViewport.getLoaderImageOptions: useRGBA false).
  if (color) {
    if (m.isColorConversionRequired(frame)) {
      // The browser's canvas createImageData(columns, rows) throws unless both are positive.
      if (!(rows > 0 && columns > 0)) throw new Error(`Failed to execute 'createImageData': The source width or height is 0`)
      const rgb = new Uint8ClampedArray(3 * columns * rows)
      m.convertColorSpace(frame, rgb, false)
      frame.pixelData = rgb as unknown as Frame['pixelData']
    }
    m.getMinMax(frame.pixelData as ArrayLike<number>)
  }
  if (frame.photometricInterpretation === 'PALETTE COLOR') components = 3
  const pixels = frame.pixelData
  // `image.dataType = imageFrame.pixelData.constructor.name` and the voxel manager read these.
  if (!pixels) throw new Error("Cannot read properties of undefined (reading 'constructor')")
  return { rows, columns, components, length: pixels.length }
}

function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message
  if (typeof error === 'object' && error !== null && 'error' in error) return messageOf((error as { error: unknown }).error)
  return String(error)
}
