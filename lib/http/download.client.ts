'use client'

/** Saves a file on this computer: made in the browser, never sent to the server. */
export function downloadBlob(fileName: string, blob: Blob): void {
  const url = URL.createObjectURL(blob)
  const link = document.createElement('a')
  link.href = url
  link.download = fileName
  link.click()
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}

export function downloadJson(fileName: string, body: unknown): void {
  downloadBlob(fileName, new Blob([JSON.stringify(body)], { type: 'application/json' }))
}
