// Rows as CSV (RFC 4180: CRLF line ends, a field in double quotes when it holds a comma,
// quote, CR or LF, quotes doubled). A text cell that a spreadsheet would run as a formula
// (it starts with = + - @ TAB or CR) gets a leading apostrophe, as the audit export does
// (lib/audit/csv-export.ts); numbers are written as they are.

const CRLF = '\r\n'
const formulaTriggers = ['=', '+', '-', '@', '\t', '\r']

export type CsvCell = string | number | boolean | null | undefined

function csvField(value: CsvCell): string {
  if (value === null || value === undefined) return ''
  let text = String(value)
  if (typeof value === 'string' && formulaTriggers.some((trigger) => text.startsWith(trigger))) text = `'${text}`
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text
}

export function toCsv<Column extends string>(columns: readonly Column[], rows: readonly Partial<Record<Column, CsvCell>>[]): string {
  return [columns.map(csvField), ...rows.map((row) => columns.map((column) => csvField(row[column])))].map((fields) => fields.join(',') + CRLF).join('')
}

/** Parses what toCsv writes (for resuming from, and reading back in tests). */
export function parseCsv(text: string): Record<string, string>[] {
  const records: string[][] = []
  let field = ''
  let record: string[] = []
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        field += '"'
        i++
      } else if (char === '"') quoted = false
      else field += char
    } else if (char === '"') quoted = true
    else if (char === ',') {
      record.push(field)
      field = ''
    } else if (char === '\n') {
      record.push(field.endsWith('\r') ? field.slice(0, -1) : field)
      records.push(record)
      record = []
      field = ''
    } else field += char
  }
  const [header, ...rows] = records
  if (!header) return []
  return rows.map((row) => Object.fromEntries(header.map((name, index) => [name, row[index] ?? ''])))
}
