'use client'

/** Saves JSON as a file on this computer: made in the browser, never sent to the server. */
export function downloadJson(fileName: string, body: unknown): void {
  const url = URL.createObjectURL(new Blob([JSON.stringify(body)], { type: 'application/json' }))
  const link = document.createElement('a')
  link.href = url
  link.download = fileName
  link.click()
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}
