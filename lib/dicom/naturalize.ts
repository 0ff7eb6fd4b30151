import { utilities } from '@cornerstonejs/metadata'
import type { NaturalizedDataset } from './ingest-protocol'

// Cornerstone's file loader reads each dropped file and parses it with dcmjs on the page's
// one thread, between the decodes it hands to its workers: for a 275-slice CT that was
// most of what kept the series from loading faster. The ingestion worker, which reads
// the file whole for its own check anyway, makes the same dataset with the same function
// (`naturalizePart10Buffer`), and the page puts it where the loader looks first.

export interface NaturalizedForPage {
  natural: NaturalizedDataset
  /** Pixel Data's buffers (the compressed frames), transferred rather than copied. */
  transfer: ArrayBuffer[]
}

function buffersIn(value: unknown, into: Set<ArrayBuffer>): void {
  if (value instanceof ArrayBuffer) into.add(value)
  else if (ArrayBuffer.isView(value) && value.buffer instanceof ArrayBuffer) into.add(value.buffer)
  else if (Array.isArray(value)) for (const item of value) buffersIn(item, into)
}

/** The file's naturalized dataset, or null when dcmjs cannot read it (the loader then reads it itself and reports its own error). */
export async function naturalizeForPage(bytes: Uint8Array): Promise<NaturalizedForPage | null> {
  // A view of a whole buffer is given as that buffer: the library copies views.
  const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer ? bytes.buffer : bytes
  try {
    const natural = (await utilities.naturalizePart10Buffer(whole)) as NaturalizedDataset
    const transfer = new Set<ArrayBuffer>()
    buffersIn(natural.PixelData, transfer)
    return { natural, transfer: [...transfer] }
  } catch {
    return null
  }
}
