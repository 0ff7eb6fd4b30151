// The parts of a multipart/related response (WADO-RS retrieve, PS3.18 8.7.4): the Part 10
// bytes between boundary lines; the first of them for the retrieve of one instance.

export class MultipartError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'MultipartError'
  }
}

export function multipartBoundary(contentType: string): string {
  const match = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType)
  const boundary = match?.[1] ?? match?.[2]
  if (!/^multipart\/related/i.test(contentType.trim()) || !boundary)
    throw new MultipartError(`The PACS sent ${contentType || 'no content type'}, not a multipart/related DICOM response.`)
  return boundary
}

export function firstMultipartPart(body: Uint8Array, contentType: string): Uint8Array {
  const delimiter = new TextEncoder().encode(`--${multipartBoundary(contentType)}`)
  const start = indexOf(body, delimiter, 0)
  if (start < 0) throw new MultipartError('The PACS response holds no part.')
  const headersEnd = indexOf(body, new TextEncoder().encode('\r\n\r\n'), start + delimiter.length)
  if (headersEnd < 0) throw new MultipartError('The PACS response part has no headers.')
  const partStart = headersEnd + 4
  const next = indexOf(body, delimiter, partStart)
  if (next < 0) throw new MultipartError('The PACS response part is not closed (truncated?).')
  // The CRLF before the next delimiter belongs to the delimiter.
  const partEnd = next >= 2 && body[next - 2] === 0x0d && body[next - 1] === 0x0a ? next - 2 : next
  return body.subarray(partStart, partEnd)
}

/** Every part's body, in order (a WADO-RS retrieve of a series: one instance per part). */
export function multipartParts(body: Uint8Array, contentType: string): Uint8Array[] {
  const encoder = new TextEncoder()
  const delimiter = encoder.encode(`--${multipartBoundary(contentType)}`)
  const headerEnd = encoder.encode('\r\n\r\n')
  const parts: Uint8Array[] = []
  let at = indexOf(body, delimiter, 0)
  if (at < 0) throw new MultipartError('The PACS response holds no part.')
  // "--boundary--" closes the body.
  while (!(body[at + delimiter.length] === 0x2d && body[at + delimiter.length + 1] === 0x2d)) {
    const headersEnd = indexOf(body, headerEnd, at + delimiter.length)
    if (headersEnd < 0) throw new MultipartError('The PACS response part has no headers.')
    const partStart = headersEnd + 4
    const next = indexOf(body, delimiter, partStart)
    if (next < 0) throw new MultipartError('The PACS response part is not closed (truncated?).')
    parts.push(body.subarray(partStart, next >= 2 && body[next - 2] === 0x0d && body[next - 1] === 0x0a ? next - 2 : next))
    at = next
  }
  return parts
}

function indexOf(haystack: Uint8Array, needle: Uint8Array, from: number): number {
  const first = needle[0]
  outer: for (let i = haystack.indexOf(first!, from); i >= 0 && i <= haystack.length - needle.length; i = haystack.indexOf(first!, i + 1)) {
    for (let j = 1; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer
    return i
  }
  return -1
}
