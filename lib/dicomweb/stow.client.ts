'use client'
import { DicomwebError } from './qido'

// STOW-RS (PS3.18 10.5) from the browser: one Part 10 object in a multipart/related body,
// straight to the PACS with a write-scoped access token; our server never sees it.

/** `what` names the object in errors ("the report", "the segmentation"). */
export async function storeInstance(wadoRoot: string, authorization: string, bytes: Uint8Array, what = 'the report'): Promise<void> {
  const boundary = `parallax-${crypto.randomUUID()}`
  const body = new Blob([`--${boundary}\r\nContent-Type: application/dicom\r\n\r\n`, bytes as BlobPart, `\r\n--${boundary}--\r\n`])
  const headers: Record<string, string> = {
    'content-type': `multipart/related; type="application/dicom"; boundary=${boundary}`,
    accept: 'application/dicom+json',
    authorization,
  }
  let response: Response
  try {
    response = await fetch(`${wadoRoot}/studies`, { method: 'POST', headers, body, credentials: 'omit', referrerPolicy: 'no-referrer' })
  } catch {
    throw new DicomwebError('network', `Could not reach the PACS at ${new URL(wadoRoot).origin} to store ${what}.`)
  }
  if (!response.ok) throw new DicomwebError('server', `The PACS refused ${what} (HTTP ${response.status}).`, response.status)
}
