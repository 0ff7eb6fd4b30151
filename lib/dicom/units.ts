/** Bytes as mebibytes for messages: '512', '0.25', '1.5'. */
export function mebibytes(bytes: number): string {
  return String(Math.round((bytes / 2 ** 20) * 100) / 100)
}
