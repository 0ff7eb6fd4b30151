import { canonicalJson } from './canonical-json'
import type { AuditEventDto } from './queries.server'

// The audit log as CSV (RFC 4180: CRLF line ends, a field in double quotes when it holds a
// comma, quote, CR or LF, embedded quotes doubled), for spreadsheets and auditors.
//
// Formula injection (OWASP "CSV Injection"): usernames, resource paths and PACS names are
// user-controlled, and a spreadsheet runs a cell that starts with = + - @ TAB or CR as a
// formula. Such a cell gets a leading apostrophe, which spreadsheets show as text. The
// exported text then differs from the stored value by that apostrophe; the stored
// values and the hash chain stay the source of truth.

export const auditCsvColumns = [
  'seq',
  'occurredAt',
  'eventType',
  'eventCode',
  'eventTypeCode',
  'action',
  'outcome',
  'actorId',
  'actorName',
  'actorRole',
  'sourceIp',
  'entities',
  'details',
  'hash',
] as const

type AuditCsvColumn = (typeof auditCsvColumns)[number]

const CRLF = '\r\n'
const formulaTriggers = ['=', '+', '-', '@', '\t', '\r']

/** The events as CSV, one row each in the order given, after a header row; every row ends in CRLF. */
export function auditEventsToCsv(events: AuditEventDto[]): string {
  const rows = [auditCsvColumns.map(csvField), ...events.map((event) => auditCsvColumns.map((column) => csvField(cellValue(event, column))))]
  return rows.map((fields) => fields.join(',') + CRLF).join('')
}

function cellValue(event: AuditEventDto, column: AuditCsvColumn): string {
  switch (column) {
    case 'seq':
      return String(event.seq)
    case 'outcome':
      return String(event.outcome)
    case 'occurredAt':
    case 'eventType':
    case 'eventCode':
    case 'action':
    case 'hash':
      return event[column]
    case 'eventTypeCode':
    case 'sourceIp':
      return event[column] ?? ''
    case 'actorId':
      return event.actor?.id ?? ''
    case 'actorName':
      return event.actor?.username ?? ''
    case 'actorRole':
      return event.actor?.role ?? ''
    case 'entities':
      return event.entities.map((entity) => `${entity.type}:${entity.id}`).join(';')
    case 'details':
      return canonicalJson(event.details)
  }
}

/** One field, neutralised against formula injection, then quoted as RFC 4180 requires. */
export function csvField(value: string): string {
  const text = formulaTriggers.some((trigger) => value.startsWith(trigger)) ? `'${value}` : value
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text
}
