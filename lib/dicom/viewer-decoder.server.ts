import 'server-only'
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import os from 'node:os'
import path from 'node:path'
import { registerDefaultProviders, metaData, utilities, Enums } from '@cornerstonejs/metadata'
import { decodedImageProblem, DicomDecodeError, toDecodeError } from './decoded-image'
import { normaliseForDecoder } from './normalise-for-decoder'
import { DEFAULT_MAX_INFLATED_BYTES } from './parse-instance'
import type { DicomInstance } from './types'

// The viewer's decode path, run in Node: the same Cornerstone 5.14 modules the browser
// runs, in the same order as `loadImageFromNaturalizedMetadata` and `createImage` of
// @cornerstonejs/dicom-image-loader. The file is first rewritten as ingestion rewrites it
// for the viewer (normalise-for-decoder.ts); metadata is read by @cornerstonejs/metadata
// (dcmjs), frames are decoded by `decodeImageFrame` from decodeImageFrameWorker.js (what the
// loader's web workers run, with the @cornerstonejs/codec-* WebAssembly codecs: CharLS,
// libjpeg-turbo, OpenJPEG, OpenJPH, libjxl, plus the loader's own JPEG lossless, RLE and
// 12-bit JPEG decoders), and the frame is post-processed as createImage does. So the CLI
// and the fuzzer see exactly the pixels the viewer draws and feeds its models.

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

/** A folder with each codec's .wasm under the name the loader asks for. */
export function prepareWasmDirectory(dir: string): string {
  mkdirSync(dir, { recursive: true })
  for (const [specifier, name] of WASM_FILES) {
    const target = path.join(dir, name)
    if (!existsSync(target)) symlinkSync(require.resolve(specifier), target)
  }
  return dir
}

export type LoaderFrame = Record<string, unknown> & { pixelData?: ArrayLike<number> & { length: number; constructor: { name: string } }; rows: number; columns: number }

export interface LoaderModules {
  decodeImageFrame: (frame: object, syntax: string, pixels: Uint8Array, config: object, options: object) => Promise<LoaderFrame>
  setPixelDataType: (frame: LoaderFrame) => void
  isColorImage: (photometric: unknown) => boolean
  isColorConversionRequired: (frame: LoaderFrame) => boolean
  convertColorSpace: (frame: LoaderFrame, buffer: Uint8ClampedArray, useRGBA: boolean) => void
  getScalingParameters: (md: typeof metaData, imageId: string) => object | undefined
  getMinMax: (pixels: ArrayLike<number>) => { min: number; max: number }
}

let modules: Promise<LoaderModules> | undefined

/** The loader's modules, loaded once per thread. */
export function loaderModules(): Promise<LoaderModules> {
  return (modules ??= loadModules())
}

async function loadModules(): Promise<LoaderModules> {
  installWasmFetch()
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

// The JPEG XL codec's glue is built for the web only and fetches its .wasm even in Node,
// where fetch takes no file paths: answer those from the file system.
function installWasmFetch() {
  const webFetch = globalThis.fetch
  globalThis.fetch = (input, init) => {
    if (typeof input === 'string' && path.isAbsolute(input) && input.endsWith('.wasm')) {
      return readFile(input).then((bytes) => new Response(bytes, { headers: { 'content-type': 'application/wasm' } }))
    }
    return webFetch(input, init)
  }
}

/** The frame as getImageFrame.js builds it from the Image Pixel module. */
export function imageFrameOf(imageId: string): LoaderFrame {
  const pixel = metaData.get('imagePixelModule', imageId) as Record<string, unknown>
  const fields = ['samplesPerPixel', 'photometricInterpretation', 'planarConfiguration', 'rows', 'columns', 'bitsAllocated', 'bitsStored', 'pixelRepresentation']
  const frame: LoaderFrame = { rows: pixel.rows as number, columns: pixel.columns as number, imageId, pixelData: undefined }
  for (const field of fields) frame[field] = pixel[field]
  for (const color of ['red', 'green', 'blue']) {
    frame[`${color}PaletteColorLookupTableDescriptor`] = pixel[`${color}PaletteColorLookupTableDescriptor`]
    frame[`${color}PaletteColorLookupTableData`] = pixel[`${color}PaletteColorLookupTableData`]
  }
  return frame
}

/** One frame's compressed (or native) bytes and transfer syntax, as the loader reads them; throws when there are none. */
export function compressedFrameOf(imageId: string, frameIndex: number): { pixelData: Uint8Array; transferSyntaxUid: string } {
  const frameData = metaData.getTyped(Enums.MetadataModules.COMPRESSED_FRAME_DATA, imageId, { frameIndex }) as { pixelData: unknown; transferSyntaxUid: string } | undefined
  if (!frameData) throw new Error(`no pixel data for ${imageId}`)
  const pixelData = concatPixelData(frameData.pixelData)
  if (!pixelData?.length) throw new Error('The pixel data is missing')
  return { pixelData, transferSyntaxUid: frameData.transferSyntaxUid }
}

/** decodeImageFrame's options as createImage sets them: the rescale applied by the decoder when the metadata gives one. */
export function decodeOptionsFor(m: LoaderModules, imageId: string): object {
  const scalingParameters = m.getScalingParameters(metaData, imageId)
  return { preScale: { enabled: scalingParameters !== undefined, ...(scalingParameters ? { scalingParameters } : {}) }, allowFloatRendering: true }
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

let nextId = 0

/** Registers a file's metadata with the loader under a fresh id for the duration of `use`. */
/** `imageIdOf(frame)` names a frame of a multi-frame image, `imageIdOf()` a single-frame image. */
export async function withLoaderInstance<T>(bytes: Uint8Array, use: (imageIdOf: (frame?: number) => string) => Promise<T>): Promise<T> {
  const base = `dicomfile:node-${process.pid}-${nextId++}`
  try {
    await utilities.addDicomPart10Instance(base, bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer)
    return await use((frame) => (frame === undefined ? base : `${base}?frame=${frame + 1}`))
  } finally {
    utilities.clearCacheData()
  }
}

export interface ViewerDecoder {
  /** One frame of a greyscale image as modality values (rescale applied), exactly as the viewer's `modalityPixels` reads it. */
  modalityPixels(bytes: Uint8Array, instance: DicomInstance, frameIndex?: number): Promise<Float32Array>
  /** Removes the codec folder. */
  close(): void
}

/** A decoder for this thread; its codecs' .wasm files are linked into a temporary folder. */
export function createViewerDecoder(): ViewerDecoder {
  const wasmBasePath = prepareWasmDirectory(mkdtempSync(path.join(os.tmpdir(), 'parallax-codecs-')))
  return {
    async modalityPixels(original, instance, frameIndex = 0) {
      if (instance.samplesPerPixel !== 1) throw new DicomDecodeError(`${instance.source}: a colour image (${instance.photometricInterpretation}) cannot feed a model`)
      const bytes = normaliseForDecoder(original, instance, DEFAULT_MAX_INFLATED_BYTES) ?? original
      const m = await loaderModules()
      try {
        return await withLoaderInstance(bytes, async (imageIdOf) => {
          const imageId = instance.numberOfFrames > 1 ? imageIdOf(frameIndex) : imageIdOf()
          const { pixelData, transferSyntaxUid } = compressedFrameOf(imageId, frameIndex)
          const decoded = await m.decodeImageFrame(imageFrameOf(imageId), transferSyntaxUid, pixelData, { wasmBasePath }, decodeOptionsFor(m, imageId))
          m.setPixelDataType(decoded)
          const pixels = decoded.pixelData
          if (!pixels) throw new DicomDecodeError(`${instance.source}: the decoder returned no pixels`)
          const problem = decodedImageProblem(instance, { rows: decoded.rows, columns: decoded.columns, components: 1, length: pixels.length })
          if (problem) throw new DicomDecodeError(`${instance.source} cannot be shown: ${problem}`)
          // As the viewer: the decoder may have applied the rescale already (preScale); otherwise apply it here.
          const scaled = (decoded.preScale as { scaled?: boolean } | undefined)?.scaled === true
          const slope = scaled ? 1 : instance.rescaleSlope
          const intercept = scaled ? 0 : instance.rescaleIntercept
          return Float32Array.from(pixels, (value) => value * slope + intercept)
        })
      } catch (error) {
        throw toDecodeError(error, instance.source)
      }
    },
    close() {
      rmSync(wasmBasePath, { recursive: true, force: true })
    },
  }
}
