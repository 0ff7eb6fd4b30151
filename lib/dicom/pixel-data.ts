// Whether an object must carry pixel data, and whether the pixel data it carries agrees
// with its header: the byte count of native (uncompressed) data, or the fragment layout of
// encapsulated (compressed) data. A mismatch means the viewer would draw garbage or fail,
// so it is a rejection, not a warning.
import type { Element } from 'dicom-parser'
import { DicomReadError } from './read-error'
import type { TransferSyntax } from './transfer-syntax'

// Storage SOP classes whose objects are images (PS3.4 Annex B). An object of one of these
// without Pixel Data is broken; other objects (SR, RT Plan, waveforms...) legitimately have none.
const IMAGE_STORAGE_SOP_CLASSES = new Set([
  '1.2.840.10008.5.1.4.1.1.1', // CR
  '1.2.840.10008.5.1.4.1.1.1.1', // Digital X-Ray, for presentation
  '1.2.840.10008.5.1.4.1.1.1.1.1', // Digital X-Ray, for processing
  '1.2.840.10008.5.1.4.1.1.1.2', // Digital Mammography, for presentation
  '1.2.840.10008.5.1.4.1.1.1.2.1', // Digital Mammography, for processing
  '1.2.840.10008.5.1.4.1.1.2', // CT
  '1.2.840.10008.5.1.4.1.1.2.1', // Enhanced CT
  '1.2.840.10008.5.1.4.1.1.2.2', // Legacy Converted Enhanced CT
  '1.2.840.10008.5.1.4.1.1.3.1', // Ultrasound Multi-frame
  '1.2.840.10008.5.1.4.1.1.4', // MR
  '1.2.840.10008.5.1.4.1.1.4.1', // Enhanced MR
  '1.2.840.10008.5.1.4.1.1.4.3', // Enhanced MR Color
  '1.2.840.10008.5.1.4.1.1.4.4', // Legacy Converted Enhanced MR
  '1.2.840.10008.5.1.4.1.1.6.1', // Ultrasound
  '1.2.840.10008.5.1.4.1.1.7', // Secondary Capture
  '1.2.840.10008.5.1.4.1.1.7.1', // Multi-frame Single Bit Secondary Capture
  '1.2.840.10008.5.1.4.1.1.7.2', // Multi-frame Grayscale Byte Secondary Capture
  '1.2.840.10008.5.1.4.1.1.7.3', // Multi-frame Grayscale Word Secondary Capture
  '1.2.840.10008.5.1.4.1.1.7.4', // Multi-frame True Color Secondary Capture
  '1.2.840.10008.5.1.4.1.1.12.1', // X-Ray Angiographic
  '1.2.840.10008.5.1.4.1.1.12.2', // X-Ray Radiofluoroscopic
  '1.2.840.10008.5.1.4.1.1.13.1.3', // Breast Tomosynthesis
  '1.2.840.10008.5.1.4.1.1.20', // Nuclear Medicine
  '1.2.840.10008.5.1.4.1.1.30', // Parametric Map
  '1.2.840.10008.5.1.4.1.1.66.4', // Segmentation
  '1.2.840.10008.5.1.4.1.1.128', // PET
  '1.2.840.10008.5.1.4.1.1.130', // Enhanced PET
  '1.2.840.10008.5.1.4.1.1.481.1', // RT Image
])

export function isImageStorage(sopClassUid: string): boolean {
  return IMAGE_STORAGE_SOP_CLASSES.has(sopClassUid)
}

// Photometric interpretations the viewer's decoder converts (Cornerstone's
// convertColorSpace), with the samples per pixel each has. Anything else, or the wrong
// number of samples, makes the decoder throw where the page cannot catch it.
const SAMPLES_BY_PHOTOMETRIC: Record<string, number> = {
  MONOCHROME1: 1,
  MONOCHROME2: 1,
  'PALETTE COLOR': 1,
  RGB: 3,
  YBR_FULL: 3,
  YBR_FULL_422: 3,
  YBR_PARTIAL_420: 3,
  YBR_ICT: 3,
  YBR_RCT: 3,
}

/**
 * Throws unless the photometric interpretation is one the viewer draws, with the samples per
 * pixel it needs, and (for PALETTE COLOR) the three palettes. A missing one on a single-sample
 * image is read as greyscale, as viewers do.
 */
export function checkColourModel(photometricInterpretation: string, samplesPerPixel: number, hasPalettes: boolean): void {
  if (photometricInterpretation === '' && samplesPerPixel === 1) return
  const samples = Object.hasOwn(SAMPLES_BY_PHOTOMETRIC, photometricInterpretation) ? SAMPLES_BY_PHOTOMETRIC[photometricInterpretation] : undefined
  if (samples === undefined) throw new DicomReadError(`Unsupported Photometric Interpretation (${photometricInterpretation || 'none'})`)
  if (samples !== samplesPerPixel) {
    throw new DicomReadError(`Photometric Interpretation ${photometricInterpretation} needs ${samples} sample${samples === 1 ? '' : 's'} per pixel, not ${samplesPerPixel}`)
  }
  if (photometricInterpretation === 'PALETTE COLOR' && !hasPalettes) {
    throw new DicomReadError('PALETTE COLOR image without its red, green and blue palettes (0028,1101-1103 and 0028,1201-1203)')
  }
}

export interface PixelLayout {
  rows: number
  columns: number
  numberOfFrames: number
  samplesPerPixel: number
  bitsAllocated: number
  photometricInterpretation: string
}

/** Throws DicomReadError unless `pixelData` is consistent with the layout and transfer syntax. */
export function checkPixelData(pixelData: Element, layout: PixelLayout, syntax: TransferSyntax, fileLength: number): void {
  if (pixelData.vr === 'SQ' || pixelData.items) throw new DicomReadError('Pixel data is a sequence, not pixel values')
  if (syntax.encapsulated) checkEncapsulated(pixelData, layout, syntax, fileLength)
  else checkNative(pixelData, layout, syntax)
}

function checkNative(pixelData: Element, layout: PixelLayout, syntax: TransferSyntax): void {
  if (pixelData.encapsulatedPixelData) {
    throw new DicomReadError(`Pixel data is compressed (encapsulated), but the transfer syntax (${syntax.name}) is uncompressed`)
  }
  const { rows, columns, numberOfFrames, samplesPerPixel, bitsAllocated } = layout
  // YBR_FULL_422 keeps two luminance samples per chroma pair: 2 values per pixel, not 3.
  const storedSamples = layout.photometricInterpretation === 'YBR_FULL_422' ? 2 : samplesPerPixel
  // Single-bit data (SEG masks) is packed 8 pixels to a byte, across frame boundaries.
  const expected = Math.ceil((rows * columns * numberOfFrames * storedSamples * bitsAllocated) / 8)
  // Values have even length, so an odd-length pixel run carries one byte of padding.
  const padded = expected % 2 === 1 && pixelData.length === expected + 1
  if (pixelData.length !== expected && !padded) {
    const frames = `${numberOfFrames} frame${numberOfFrames === 1 ? '' : 's'}`
    const samples = `${samplesPerPixel} sample${samplesPerPixel === 1 ? '' : 's'}/pixel`
    throw new DicomReadError(`Pixel data is ${pixelData.length} bytes, expected ${expected} (${rows}×${columns}, ${frames}, ${samples}, ${bitsAllocated} bits allocated)`)
  }
}

function checkEncapsulated(pixelData: Element, layout: PixelLayout, syntax: TransferSyntax, fileLength: number): void {
  const fragments = pixelData.fragments
  if (!pixelData.encapsulatedPixelData || !fragments) {
    throw new DicomReadError(`Pixel data is not compressed (encapsulated), but the transfer syntax (${syntax.name}) says it is`)
  }
  if (fragments.length < layout.numberOfFrames) {
    throw new DicomReadError(`Compressed pixel data has ${fragments.length} fragment(s) for ${layout.numberOfFrames} frame(s)`)
  }
  const offsets = pixelData.basicOffsetTable ?? []
  if (offsets.length > 0 && offsets.length !== layout.numberOfFrames) {
    throw new DicomReadError(`Compressed pixel data's offset table lists ${offsets.length} frame(s), but Number of Frames is ${layout.numberOfFrames}`)
  }
  // Each entry is where a frame's first fragment starts: anything else sends the decoder into another frame, or past the data.
  const starts = new Set(fragments.map((fragment) => fragment.offset))
  if (offsets.some((offset, index) => !starts.has(offset) || (index > 0 && offset <= offsets[index - 1]!))) {
    throw new DicomReadError("Compressed pixel data's offset table is corrupt: its entries are not the starts of fragments, in order")
  }
  if (fragments.some((fragment) => fragment.position + fragment.length > fileLength)) {
    throw new DicomReadError('File is truncated: a compressed pixel data fragment is cut off')
  }
}
