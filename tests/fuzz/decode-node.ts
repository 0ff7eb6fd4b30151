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
import { mkdirSync, symlinkSync, existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import path from 'node:path'
import { registerDefaultProviders, metaData, utilities, Enums } from '@cornerstonejs/metadata'
import type { DecodedImageShape } from '../../lib/dicom/decoded-image'
import type { DicomInstance } from '../../lib/dicom/types'

const require = createRequire(import.meta.url)
const loaderDist = path.dirname(require.resolve('@cornerstonejs/dicom-image-loader'))

// The loader finds each codec's .wasm through a bundler-resolved URL; in Node it reads the
// file named by wasmBasePath + its fixed name instead.
const WASM_FILES: [string, string][] = [
  ['@cornerstonejs/codec-charls/decodewasm', 'charlswasm_decode.wasm'],
  ['@cornerstonejs/codec-openjpeg/decodewasm', 'openjpegwasm_decode.wasm'],
  ['@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasm', 'libjpegturbowasm_decode.wasm'],
  ['@cornerstonejs/codec-openjph/wasm', 'openjphjs.wasm'],
  ['@cornerstonejs/codec-libjxl/decodewasm', 'jpegxlwasm_decode.wasm'],
]

export function prepareWasmDirectory(dir: string): string {
  mkdirSync(dir, { recursive: true })
  for (const [specifier, name] of WASM_FILES) {
    const target = path.join(dir, name)
    if (!existsSync(target)) symlinkSync(require.resolve(specifier), target)
  }
  return dir
}

// The JPEG XL codec's glue is built for the web only and fetches its .wasm even in Node,
// where fetch takes no file paths: answer those from the file system.
const webFetch = globalThis.fetch
globalThis.fetch = (input, init) => {
  if (typeof input === 'string' && path.isAbsolute(input) && input.endsWith('.wasm')) {
    return readFile(input).then((bytes) => new Response(bytes, { headers: { 'content-type': 'application/wasm' } }))
  }
  return webFetch(input, init)
}

type Frame = Record<string, unknown> & { pixelData?: ArrayLike<number> & { length: number; constructor: { name: string } }; rows: number; columns: number }
interface LoaderModules {
  decodeImageFrame: (frame: object, syntax: string, pixels: Uint8Array, config: object, options: object) => Promise<Frame>
  setPixelDataType: (frame: Frame) => void
  isColorImage: (photometric: unknown) => boolean
  isColorConversionRequired: (frame: Frame) => boolean
  convertColorSpace: (frame: Frame, buffer: Uint8ClampedArray, useRGBA: boolean) => void
  getScalingParameters: (md: typeof metaData, imageId: string) => object | undefined
  getMinMax: (pixels: ArrayLike<number>) => { min: number; max: number }
}

let modules: Promise<LoaderModules> | undefined

async function loadModules(): Promise<LoaderModules> {
  // The package's exports map hides these files, so they are loaded by path (as jpeg-12bit-decode.test.ts does).
  const load = async (file: string) => (await import(path.join(loaderDist, file))) as { default?: unknown; decodeImageFrame?: unknown }
  registerDefaultProviders()
  return {
    decodeImageFrame: (await load('decodeImageFrameWorker.js')).decodeImageFrame as LoaderModules['decodeImageFrame'],
    setPixelDataType: (await load('imageLoader/setPixelDataType.js')).default as LoaderModules['setPixelDataType'],
    isColorImage: (await load('shared/isColorImage.js')).default as LoaderModules['isColorImage'],
    isColorConversionRequired: (await load('imageLoader/isColorConversionRequired.js')).default as LoaderModules['isColorConversionRequired'],
    convertColorSpace: (await load('imageLoader/convertColorSpace.js')).default as LoaderModules['convertColorSpace'],
    getScalingParameters: (await load('imageLoader/getScalingParameters.js')).default as LoaderModules['getScalingParameters'],
    getMinMax: (await load('shared/getMinMax.js')).default as LoaderModules['getMinMax'],
  }
}

/** What the browser would do with one frame. */
export type FrameOutcome =
  /** Decoded, and the decoded image is what the header said. */
  | ({ kind: 'decoded' } & DecodedImageShape)
  /** The load rejected: the viewer shows it as a file that could not be decoded. */
  | { kind: 'rejected'; stage: 'metadata' | 'frame' | 'decode'; message: string }
  /** A throw the browser would not catch (createImage's post-processing). */
  | { kind: 'uncaught'; message: string }

let nextId = 0

/** Decodes the listed frames of one accepted instance the way the viewer would. */
export async function decodeLikeViewer(bytes: Uint8Array, instance: DicomInstance, frames: number[], wasmBasePath: string): Promise<FrameOutcome[]> {
  const m = (modules ??= loadModules())
  const loader = await m
  const base = `dicomfile:fuzz-${nextId++}`
  try {
    try {
      await utilities.addDicomPart10Instance(base, bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer)
    } catch (error) {
      return frames.map(() => ({ kind: 'rejected', stage: 'metadata', message: messageOf(error) }))
    }
    const outcomes: FrameOutcome[] = []
    for (const frame of frames) outcomes.push(await decodeFrame(loader, instance.numberOfFrames > 1 ? `${base}?frame=${frame + 1}` : base, frame, wasmBasePath))
    return outcomes
  } finally {
    utilities.clearCacheData()
  }
}

async function decodeFrame(m: LoaderModules, imageId: string, frameIndex: number, wasmBasePath: string): Promise<FrameOutcome> {
  let frame: Frame
  let syntax: string
  let pixelData: Uint8Array | undefined
  try {
    const frameData = metaData.getTyped(Enums.MetadataModules.COMPRESSED_FRAME_DATA, imageId, { frameIndex }) as { pixelData: unknown; transferSyntaxUid: string } | undefined
    if (!frameData) throw new Error(`no pixel data for ${imageId}`)
    pixelData = concatPixelData(frameData.pixelData)
    syntax = frameData.transferSyntaxUid
    if (!pixelData?.length) throw new Error('The pixel data is missing')
    frame = imageFrameOf(imageId)
  } catch (error) {
    return { kind: 'rejected', stage: 'frame', message: messageOf(error) }
  }
  const scalingParameters = m.getScalingParameters(metaData, imageId)
  const options = { preScale: { enabled: scalingParameters !== undefined, ...(scalingParameters ? { scalingParameters } : {}) }, allowFloatRendering: true }
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

function imageFrameOf(imageId: string): Frame {
  // getImageFrame.js reads these fields of the Image Pixel module.
  const pixel = metaData.get('imagePixelModule', imageId) as Record<string, unknown>
  const fields = ['samplesPerPixel', 'photometricInterpretation', 'planarConfiguration', 'rows', 'columns', 'bitsAllocated', 'bitsStored', 'pixelRepresentation']
  const frame: Frame = { rows: pixel.rows as number, columns: pixel.columns as number, imageId, pixelData: undefined }
  for (const field of fields) frame[field] = pixel[field]
  for (const color of ['red', 'green', 'blue']) {
    frame[`${color}PaletteColorLookupTableDescriptor`] = pixel[`${color}PaletteColorLookupTableDescriptor`]
    frame[`${color}PaletteColorLookupTableData`] = pixel[`${color}PaletteColorLookupTableData`]
  }
  return frame
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

function concatPixelData(pixelData: unknown): Uint8Array | undefined {
  const asBytes = (data: unknown) => (data instanceof ArrayBuffer ? new Uint8Array(data) : (data as Uint8Array))
  if (!Array.isArray(pixelData)) return asBytes(pixelData)
  if (pixelData.length === 0) return undefined
  if (pixelData.length === 1) return asBytes(pixelData[0])
  const parts = pixelData.map(asBytes)
  const out = new Uint8Array(parts.reduce((total, part) => total + part.length, 0))
  let offset = 0
  for (const part of parts) {
    out.set(part, offset)
    offset += part.length
  }
  return out
}

function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message
  if (typeof error === 'object' && error !== null && 'error' in error) return messageOf((error as { error: unknown }).error)
  return String(error)
}
