// The first part of a multipart/related response (WADO-RS retrieve of one instance,
// PS3.18 8.7.4): the Part 10 bytes between the first two boundary lines.

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

function indexOf(haystack: Uint8Array, needle: Uint8Array, from: number): number {
  const first = needle[0]
  outer: for (let i = haystack.indexOf(first!, from); i >= 0 && i <= haystack.length - needle.length; i = haystack.indexOf(first!, i + 1)) {
    for (let j = 1; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer
    return i
  }
  return -1
}
