// The header of each compressed frame, against the DICOM header. The viewer's codecs size
// their output from the codestream's own header (a JPEG SOF, JPEG-LS SOF55, JPEG 2000 SIZ),
// not from Rows and Columns: a frame that claims 60000×60000 pixels in a few bytes makes
// the decoder allocate gigabytes, and one that claims another size decodes to an image the
// viewport cannot hold. A codestream must also end with its end marker: a frame cut short
// costs CharLS seconds to refuse. Deflated frames are inflated here, with the frame's size
// as limit, because the decoder inflates them without one. Only headers are read otherwise.
import type { Element } from 'dicom-parser'
import { InflateLimitError, inflateRawCapped } from './inflate-capped'
import { DicomReadError } from './read-error'

export interface FrameLayout {
  rows: number
  columns: number
  numberOfFrames: number
  samplesPerPixel: number
  bitsAllocated: number
}

interface CodestreamHeader {
  rows: number
  columns: number
  components: number
  /** Bits per sample. */
  precision: number
}

const JPEG_SYNTAXES = new Set([
  '1.2.840.10008.1.2.4.50',
  '1.2.840.10008.1.2.4.51',
  '1.2.840.10008.1.2.4.53',
  '1.2.840.10008.1.2.4.55',
  '1.2.840.10008.1.2.4.57',
  '1.2.840.10008.1.2.4.70',
])
const JPEG_LS_SYNTAXES = new Set(['1.2.840.10008.1.2.4.80', '1.2.840.10008.1.2.4.81'])
const JPEG_2000_SYNTAXES = new Set(['1.2.840.10008.1.2.4.90', '1.2.840.10008.1.2.4.91', '1.2.840.10008.1.2.4.201', '1.2.840.10008.1.2.4.202', '1.2.840.10008.1.2.4.203'])
const RLE = '1.2.840.10008.1.2.5'
const DEFLATED_FRAMES = '1.2.840.10008.1.2.8.1'

/** Throws DicomReadError when a frame's codestream header disagrees with the image's. */
export function checkCodestreams(bytes: Uint8Array, pixelData: Element, layout: FrameLayout, transferSyntaxUid: string): void {
  for (const [frame, fragment] of frameStarts(pixelData, layout.numberOfFrames).entries()) {
    const stream = bytes.subarray(fragment.position, fragment.position + fragment.length)
    const where = layout.numberOfFrames > 1 ? `frame ${frame + 1}` : 'the image'
    if (transferSyntaxUid === DEFLATED_FRAMES) {
      checkInflatedSize(stream, layout, where)
      continue
    }
    if (transferSyntaxUid === RLE) {
      checkRleHeader(stream, layout, where)
      continue
    }
    const header = JPEG_SYNTAXES.has(transferSyntaxUid)
      ? jpegHeader(stream, false)
      : JPEG_LS_SYNTAXES.has(transferSyntaxUid)
        ? jpegHeader(stream, true)
        : JPEG_2000_SYNTAXES.has(transferSyntaxUid)
          ? jpeg2000Header(stream)
          : undefined
    // JPEG XL and encapsulated uncompressed frames carry no header read here.
    if (header === undefined) continue
    if (header === null) throw new DicomReadError(`Compressed pixel data is corrupt: no readable codestream header in ${where}`)
    const sizeMatches = header.columns === layout.columns && (header.rows === layout.rows || header.rows === 0)
    if (!sizeMatches || header.components !== layout.samplesPerPixel || header.precision > layout.bitsAllocated) {
      throw new DicomReadError(
        `Compressed pixel data does not match the header: ${where} is ${header.columns}×${header.rows}, ${header.components} component(s) of ${header.precision} bits; ` +
          `the header says ${layout.columns}×${layout.rows}, ${layout.samplesPerPixel} sample(s) of ${layout.bitsAllocated} bits allocated`,
      )
    }
    checkEndMarker(bytes, frameEnds(pixelData, layout.numberOfFrames)[frame], where)
  }
}

/** The first fragment of each frame, where that can be told; else the first fragment alone. */
function frameStarts(pixelData: Element, frames: number): { position: number; length: number }[] {
  const fragments = pixelData.fragments ?? []
  const offsets = pixelData.basicOffsetTable ?? []
  if (offsets.length === frames) {
    return offsets.flatMap((offset) => fragments.filter((fragment) => fragment.offset === offset))
  }
  if (fragments.length === frames) return fragments
  return fragments.slice(0, 1)
}

/** The last fragment of each frame, where that can be told; else the last fragment alone (for frame 0). */
function frameEnds(pixelData: Element, frames: number): ({ position: number; length: number } | undefined)[] {
  const fragments = pixelData.fragments ?? []
  const offsets = pixelData.basicOffsetTable ?? []
  if (offsets.length === frames && frames > 1) {
    return offsets.map((_, frame) => {
      const next = offsets[frame + 1]
      return next === undefined ? fragments.at(-1) : fragments.filter((fragment) => fragment.offset < next).at(-1)
    })
  }
  if (fragments.length === frames) return fragments
  return [fragments.at(-1)]
}

/**
 * JPEG, JPEG-LS and JPEG 2000 codestreams end with FFD9 (EOI, EOC), then at most one byte
 * of padding. Without it the frame is cut short, and CharLS takes seconds to say so.
 */
function checkEndMarker(bytes: Uint8Array, last: { position: number; length: number } | undefined, where: string): void {
  if (!last) return
  let end = last.position + last.length
  if (end - last.position > 2 && bytes[end - 1] !== 0xd9) end -= 1
  if (bytes[end - 2] !== 0xff || bytes[end - 1] !== 0xd9) throw new DicomReadError(`Compressed pixel data is truncated: ${where} does not end with an end-of-image marker`)
}

const u16 = (bytes: Uint8Array, at: number) => (bytes[at]! << 8) | bytes[at + 1]!
const u32 = (bytes: Uint8Array, at: number) => ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0

/** The frame header of a JPEG (SOFn) or JPEG-LS (SOF55) stream; null when there is none before the scan. */
function jpegHeader(stream: Uint8Array, jpegLs: boolean): CodestreamHeader | null {
  if (stream.length < 4 || stream[0] !== 0xff || stream[1] !== 0xd8) return null
  let at = 2
  while (at + 4 <= stream.length) {
    if (stream[at] !== 0xff) return null
    const marker = stream[at + 1]!
    if (marker === 0xff) {
      at += 1 // fill byte
      continue
    }
    if (marker === 0xda || marker === 0xd9) return null // scan or end before any frame header
    const length = u16(stream, at + 2)
    const isFrame = jpegLs ? marker === 0xf7 : marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc
    if (isFrame) {
      if (at + 10 > stream.length) return null
      return { precision: stream[at + 4]!, rows: u16(stream, at + 5), columns: u16(stream, at + 7), components: stream[at + 9]! }
    }
    at += 2 + length
  }
  return null
}

/** The image size (SIZ) of a JPEG 2000 or HTJ2K codestream, bare or in a JP2 file. */
function jpeg2000Header(stream: Uint8Array): CodestreamHeader | null {
  let codestream = stream
  // JP2: a box sequence starting with the 12-byte signature box; the codestream is in 'jp2c'.
  if (stream.length >= 12 && u32(stream, 0) === 12 && u32(stream, 4) === 0x6a502020) {
    let at = 0
    codestream = new Uint8Array(0)
    while (at + 8 <= stream.length) {
      const length = u32(stream, at)
      const type = u32(stream, at + 4)
      if (type === 0x6a703263) {
        codestream = stream.subarray(at + 8, length === 0 ? stream.length : at + length)
        break
      }
      if (length < 8) return null
      at += length
    }
  }
  // SOC, then SIZ: Lsiz Rsiz Xsiz Ysiz XOsiz YOsiz XTsiz YTsiz XTOsiz YTOsiz Csiz, then Ssiz per component.
  if (codestream.length < 42 || u16(codestream, 0) !== 0xff4f || u16(codestream, 2) !== 0xff51) return null
  const width = u32(codestream, 8) - u32(codestream, 16)
  const height = u32(codestream, 12) - u32(codestream, 20)
  const components = u16(codestream, 40)
  if (codestream.length < 42 + 3 * components) return null
  let precision = 0
  for (let c = 0; c < components; c++) precision = Math.max(precision, (codestream[42 + 3 * c]! & 0x7f) + 1)
  return { columns: width, rows: height, components, precision }
}

/** RLE: a 64-byte header listing one segment per byte of each sample. */
function checkRleHeader(stream: Uint8Array, layout: FrameLayout, where: string): void {
  if (stream.length < 64) throw new DicomReadError(`RLE pixel data is corrupt: ${where} is shorter than its 64-byte header`)
  const little = (at: number) => (stream[at]! | (stream[at + 1]! << 8) | (stream[at + 2]! << 16) | (stream[at + 3]! << 24)) >>> 0
  const segments = little(0)
  const expected = layout.samplesPerPixel * Math.ceil(layout.bitsAllocated / 8)
  if (segments !== expected) throw new DicomReadError(`RLE pixel data is corrupt: ${where} has ${segments} segment(s), the header needs ${expected}`)
  for (let s = 0; s < segments; s++) {
    const offset = little(4 + 4 * s)
    if (offset < 64 || offset > stream.length) throw new DicomReadError(`RLE pixel data is corrupt: a segment of ${where} starts outside the frame`)
  }
}

/** Deflated frames (1.2.840.10008.1.2.8.1): the inflated frame may be no larger than the frame (one byte of padding allowed). */
function checkInflatedSize(stream: Uint8Array, layout: FrameLayout, where: string): void {
  const frameBytes = Math.ceil((layout.rows * layout.columns * layout.samplesPerPixel * layout.bitsAllocated) / 8)
  try {
    inflateRawCapped(stream, frameBytes + 1)
  } catch (error) {
    if (error instanceof InflateLimitError) throw new DicomReadError(`Deflated pixel data is corrupt: ${where} inflates beyond its ${frameBytes} bytes (possible deflate bomb)`)
    // A frame continued in the next fragment, or a corrupt stream: the decoder reports those.
  }
}
