import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { firstMultipartPart, MultipartError, multipartParts } from './multipart'

const encode = (text: string) => new TextEncoder().encode(text)

function body(boundary: string, part: Uint8Array): Uint8Array {
  const head = encode(`--${boundary}\r\nContent-Type: application/dicom\r\n\r\n`)
  const tail = encode(`\r\n--${boundary}--\r\n`)
  const out = new Uint8Array(head.length + part.length + tail.length)
  out.set(head)
  out.set(part, head.length)
  out.set(tail, head.length + part.length)
  return out
}

describe('WADO-RS multipart/related', () => {
  it('returns the first part byte for byte, CR LF and dashes inside it included', () => {
    const part = Uint8Array.from([0x44, 0x49, 0x43, 0x4d, 0x0d, 0x0a, 0x2d, 0x2d, 0, 255, 0x0d, 0x0a])
    const contentType = 'multipart/related; type="application/dicom"; boundary="abc-123"'
    assert.deepEqual(firstMultipartPart(body('abc-123', part), contentType), part)
    assert.deepEqual(firstMultipartPart(body('xyz', part), 'multipart/related; boundary=xyz; type=application/dicom'), part)
  })

  it('refuses other content types and truncated bodies', () => {
    assert.throws(() => firstMultipartPart(encode('{}'), 'application/json'), MultipartError)
    const whole = body('b', encode('DICM'))
    assert.throws(() => firstMultipartPart(whole.subarray(0, whole.length - 8), 'multipart/related; boundary=b'), /not closed/)
  })

  it('returns every part of a series retrieve in order, and refuses a body cut off before its closing boundary', () => {
    const parts = [Uint8Array.from([0x44, 0x0d, 0x0a, 0x2d, 0x2d, 1]), encode('second'), Uint8Array.from([0, 255])]
    const contentType = 'multipart/related; type="application/dicom"; boundary=s1'
    const whole = new Uint8Array(
      parts.flatMap((part) => [...encode('--s1\r\nContent-Type: application/dicom\r\n\r\n'), ...part, ...encode('\r\n')]).concat([...encode('--s1--\r\n')]),
    )
    assert.deepEqual(multipartParts(whole, contentType), parts)
    assert.throws(() => multipartParts(whole.subarray(0, whole.length - 12), contentType), /not closed/)
    assert.throws(() => multipartParts(encode('nothing here'), contentType), /no part/)
  })
})
