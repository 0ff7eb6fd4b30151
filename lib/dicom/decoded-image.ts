// What the viewer checks of every decoded image before a viewport gets it. The decoder
// reads the file with its own parser (dcmjs) and the codestream's own header, so a file
// that passed ingestion can still decode to an image of another size or with fewer values
// than its header promises; drawn, such an image throws deep inside the renderer (a
// `setOrigin` TypeError on the viewport's image data). Refused here, it is one more image
// that could not be decoded, named with its file.

/** A decoded image refused, or a decoder failure, as a per-file error. */
export class DicomDecodeError extends Error {
  constructor(reason: string) {
    super(reason)
    this.name = 'DicomDecodeError'
  }
}

export interface ExpectedImage {
  rows: number
  columns: number
}

export interface DecodedImageShape {
  rows: number
  columns: number
  /** Values per pixel in the decoded buffer (1 grey, 3 RGB); when unset, Cornerstone derives it from the length. */
  components: number | undefined
  /** Colour converted to RGBA (4 values per pixel, whatever `components` says). */
  rgba?: boolean
  /** Values in the decoded buffer. */
  length: number
}

/** Why the decoded image cannot be drawn, or null when it can. */
export function decodedImageProblem(expected: ExpectedImage, decoded: DecodedImageShape): string | null {
  if (decoded.rows !== expected.rows || decoded.columns !== expected.columns) {
    return `it decodes to ${decoded.columns}×${decoded.rows} pixels, but its header says ${expected.columns}×${expected.rows}`
  }
  const components = decoded.rgba ? 4 : decoded.components || decoded.length / (decoded.rows * decoded.columns)
  if (![1, 3, 4].includes(components)) return `it decodes to ${Math.round(components * 100) / 100} values per pixel`
  const values = decoded.rows * decoded.columns * components
  if (decoded.length !== values) return `it decodes to ${decoded.length} values, not the ${values} its size needs`
  return null
}

/** Any decoder failure (dicom-parser and the codecs throw strings, numbers or `{ error }` objects) as a DicomDecodeError. */
export function toDecodeError(error: unknown, source: string): DicomDecodeError {
  if (error instanceof DicomDecodeError) return error
  return new DicomDecodeError(`${source} could not be decoded: ${describe(error)}`)
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message
  if (typeof error === 'object' && error !== null && 'error' in error) return describe((error as { error: unknown }).error)
  return String(error)
}
