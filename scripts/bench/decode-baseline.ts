// The pure decode cost of a JPEG-LS series, for comparison with the viewer: parse each
// file and decode its frame with the same CharLS WebAssembly codec Cornerstone's loader
// uses, one thread, files already in memory.
import { readFileSync, readdirSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import dicomParser from 'dicom-parser'

const require = createRequire(import.meta.url)

interface CharlsDecoder {
  getEncodedBuffer(length: number): Uint8Array
  decode(): void
  getDecodedBuffer(): Uint8Array
}

async function charlsDecoder(): Promise<CharlsDecoder> {
  const factory = require('@cornerstonejs/codec-charls/decodewasmjs') as (options: object) => Promise<{ JpegLSDecoder: new () => CharlsDecoder }>
  const wasm = require.resolve('@cornerstonejs/codec-charls/decodewasm')
  const codec = await factory({ locateFile: (file: string) => (file.endsWith('.wasm') ? wasm : file) })
  return new codec.JpegLSDecoder()
}

export async function measureDecodeBaseline(dir: string): Promise<{ files: number; milliseconds: number; decodedBytes: number }> {
  const files = readdirSync(dir)
    .filter((name) => !name.startsWith('.'))
    .map((name) => readFileSync(path.join(dir, name)))
  const decoder = await charlsDecoder()
  let decodedBytes = 0
  const start = performance.now()
  for (const file of files) {
    const bytes = new Uint8Array(file.buffer, file.byteOffset, file.byteLength)
    const dataSet = dicomParser.parseDicom(bytes)
    const pixelData = dataSet.elements.x7fe00010!
    const frame = dicomParser.readEncapsulatedPixelDataFromFragments(dataSet, pixelData, 0, pixelData.fragments!.length)
    decoder.getEncodedBuffer(frame.length).set(frame)
    decoder.decode()
    decodedBytes += decoder.getDecodedBuffer().slice().byteLength
  }
  return { files: files.length, milliseconds: performance.now() - start, decodedBytes }
}
