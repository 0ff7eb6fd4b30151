import 'client-only'
import { cache, imageLoader } from '@cornerstonejs/core'

// Decoded pixels out of Cornerstone's cache: the model's input (modality values) and the
// checksum that pins a decoder against reference hashes.

export interface PixelChecksum {
  sha256: string
  arrayType: string
  length: number
  min: number
  max: number
}

/** SHA-256 of an image's decoded pixel data as the loader holds it, with its layout; null when not decoded. */
export async function pixelChecksumOf(imageId: string): Promise<PixelChecksum | null> {
  const image = cache.getImage(imageId)
  if (!image) return null
  const pixels = image.getPixelData()
  const bytes = new Uint8Array(pixels.buffer, pixels.byteOffset, pixels.byteLength)
  const digest = await crypto.subtle.digest('SHA-256', bytes.slice())
  let min = Infinity
  let max = -Infinity
  for (const value of pixels) {
    if (value < min) min = value
    if (value > max) max = value
  }
  return {
    sha256: Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, '0')).join(''),
    arrayType: pixels.constructor.name,
    length: pixels.length,
    min,
    max,
  }
}

/** An image's modality values (rescale applied), loading it if it is not decoded yet. */
export async function modalityPixels(imageId: string): Promise<Float32Array> {
  const image = cache.getImage(imageId) ?? (await imageLoader.loadAndCacheImage(imageId))
  const pixels = image.getPixelData()
  // The loader may have applied the rescale already (preScale); otherwise apply it here.
  const scaled = (image as { preScale?: { scaled?: boolean } }).preScale?.scaled === true
  const slope = scaled ? 1 : (image.slope ?? 1)
  const intercept = scaled ? 0 : (image.intercept ?? 0)
  const out = new Float32Array(pixels.length)
  // Pre-scaled pixels (the usual case) are converted by the engine's typed-array copy, several times faster than a loop.
  if (slope === 1 && intercept === 0) out.set(pixels)
  else for (let p = 0; p < pixels.length; p++) out[p] = pixels[p]! * slope + intercept
  return out
}
