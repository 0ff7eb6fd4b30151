// Raw DEFLATE decompression that refuses to grow past a byte limit, for the Deflated
// Explicit VR Little Endian transfer syntax: a few kilobytes of deflate can expand to
// gigabytes (a "deflate bomb"), and nothing in the file says in advance how large the
// inflated data set will be.
import { Inflate } from 'fflate'

/** Thrown when the inflated data would exceed the limit; nothing past the limit is kept. */
export class InflateLimitError extends Error {
  constructor(readonly limitBytes: number) {
    super(`inflated data exceeds ${limitBytes} bytes`)
    this.name = 'InflateLimitError'
  }
}

// DEFLATE expands at most about 1032:1, so feeding 16 KiB at a time bounds every output
// chunk fflate hands back to ~17 MiB: the limit is checked before the chunk is copied, and
// never more than one such chunk exists beyond it.
const INPUT_SLICE_BYTES = 16 * 1024
const INITIAL_OUTPUT_BYTES = 64 * 1024

/**
 * Inflates raw DEFLATE `input` into a new array that starts with `headroomBytes` zeroed
 * bytes (for the caller to fill), followed by the inflated data. Throws InflateLimitError
 * past `maxOutputBytes`, and fflate's error on corrupt or truncated input.
 */
export function inflateRawCapped(input: Uint8Array, maxOutputBytes: number, headroomBytes = 0): Uint8Array {
  const capacityLimit = headroomBytes + maxOutputBytes
  let output = new Uint8Array(Math.min(capacityLimit, headroomBytes + Math.max(INITIAL_OUTPUT_BYTES, input.length * 4)))
  let length = headroomBytes

  const inflater = new Inflate((chunk) => {
    if (length + chunk.length > capacityLimit) throw new InflateLimitError(maxOutputBytes)
    if (length + chunk.length > output.length) {
      // Doubling keeps copying linear overall; the limit bounds the largest allocation.
      const grown = new Uint8Array(Math.min(capacityLimit, Math.max(output.length * 2, length + chunk.length)))
      grown.set(output.subarray(0, length))
      output = grown
    }
    output.set(chunk, length)
    length += chunk.length
  })

  for (let offset = 0; offset < input.length; offset += INPUT_SLICE_BYTES) {
    const end = Math.min(offset + INPUT_SLICE_BYTES, input.length)
    inflater.push(input.subarray(offset, end), end === input.length)
  }
  return output.subarray(0, length)
}
