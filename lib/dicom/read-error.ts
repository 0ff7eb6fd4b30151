// The one error the ingestion steps throw on bad input. Its message is the user-facing
// reason; parseInstance catches it (and anything else) and turns it into a rejection.
export class DicomReadError extends Error {
  constructor(reason: string) {
    super(reason)
    this.name = 'DicomReadError'
  }
}

/** The message of anything thrown: dicom-parser throws strings, or { exception, dataSet } mid data set. */
export function errorMessage(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'exception' in error) return errorMessage(error.exception)
  if (error instanceof Error) return error.message
  return String(error)
}
