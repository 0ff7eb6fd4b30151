import 'server-only'
import Sqlite from 'better-sqlite3'
import pg from 'pg'
import { sqliteFilePath, type DatabaseConfig } from '../db/config'
import { canonicalLayout, type CanonicalRow, type ChainedEvent } from './chain'
import { copyScan, type ScanVisitor } from './chain-copy.server'

// The trail read for verification straight through the driver, on a connection of its own,
// in keyset pages in seq order. The database writes each event's canonical text itself
// (chain.ts's canonicalLayout: JSON quoting by json_quote / to_json, the instant by
// strftime / to_char), so a row arrives as four values rather than fifteen to map, quote
// and join here: reading and building them was most of a verification's time. That text
// only ever stands in for canonicalFields: it is a JSON encoding of the stored values, so
// a text that gives the stored hash is the one that was hashed; where it does not, the
// verifier recomputes from the row's columns (`event`) and that decides.

export interface ChainReader {
  /** Up to `limit` events after seq `after`, ascending, each with its canonical text. */
  page(after: number, limit: number): Promise<CanonicalRow[]>
  /** One whole event, occurredAt as the text toISOString() writes (null when there is none). */
  event(seq: number): Promise<ChainedEvent | null>
  /** Every event from seq `first` to `last` (null: to the end) through `visit`, ascending, as one stream where the database has one. */
  scan(first: number, last: number | null, visit: ScanVisitor): Promise<void>
  /** The highest seq stored, 0 when there is none. */
  maxSeq(): Promise<number>
  /** The stored hash of each of `seqs` that exists. */
  hashesAt(seqs: readonly number[]): Promise<Map<number, string>>
  close(): Promise<void>
}

const columns = `"seq", "occurredAt", "eventType", "eventCode", "eventTypeCode", "action", "outcome", "actorId", "actorName", "actorRole", "sourceIp", "entities", "details", "prevHash", "hash"`

/** Text no honest row can hold: an instant that does not parse hashes as nothing written did. */
const unreadable = (raw: unknown) => `unreadable instant ${String(raw)}`

function isoOf(date: Date, raw: unknown): string {
  return Number.isNaN(date.getTime()) ? unreadable(raw) : date.toISOString()
}

// Prisma's SQLite adapter writes DateTime as `2026-01-01T00:00:00.997+00:00`.
const sqliteInstant = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00$/

export function isoFromSqlite(raw: unknown): string {
  if (typeof raw === 'string' && sqliteInstant.test(raw)) return `${raw.slice(0, 23)}Z`
  return isoOf(new Date(typeof raw === 'string' || typeof raw === 'number' ? raw : Number.NaN), raw)
}

// PostgreSQL's text for TIMESTAMP(3): `2026-01-01 00:00:00.99` (trailing zeros of the
// fraction dropped, the fraction itself when it is zero), always UTC here.
const postgresInstant = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)(?:\.(\d{1,3}))?$/

export function isoFromPostgres(raw: string): string {
  const parts = postgresInstant.exec(raw)
  if (parts) return `${parts[1]}T${parts[2]}.${(parts[3] ?? '').padEnd(3, '0')}Z`
  return isoOf(new Date(`${raw.replace(' ', 'T')}Z`), raw)
}

type Row = unknown[]

/** A whole row read as an array, in `columns` order. */
const eventOf = (row: Row, occurredAt: string): ChainedEvent => ({
  seq: row[0] as number,
  occurredAt,
  eventType: row[2] as string,
  eventCode: row[3] as string,
  eventTypeCode: row[4] as string | null,
  action: row[5] as string,
  outcome: row[6] as number,
  actorId: row[7] as string | null,
  actorName: row[8] as string | null,
  actorRole: row[9] as string | null,
  sourceIp: row[10] as string | null,
  entities: row[11] as string,
  details: row[12] as string,
  prevHash: row[13] as string,
  hash: row[14] as string,
})

type Writers = Record<(typeof canonicalLayout)[number][1], (column: string) => string>

/** canonicalFields as one SQL expression: `{"action":…,"seq":…}` in canonicalLayout's order (NULL anywhere: NULL, recomputed). */
function canonicalSql(write: Writers): string {
  const parts = canonicalLayout.map(([field, kind], index) => `'${index === 0 ? '{' : ','}"${field}":' || ${write[kind](`"${field}"`)}`)
  return `${parts.join(' || ')} || '}'`
}

// SQLite writes the object in one call (json_object: the keys in canonicalLayout's order,
// text quoted as json_quote does, integers as numbers, NULL as null), a tenth faster than
// joining the parts. The instant only in the form Prisma's adapter writes (isoFromSqlite's
// fast path, the same test), cut rather than reformatted with strftime; any other form, or
// a column of another type than the schema's, gives other text: recomputed from the row.
const sqliteInstantGlob = '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]+00:00'
const sqliteInstant23 = (column: string) => `CASE WHEN typeof(${column}) = 'text' AND ${column} GLOB '${sqliteInstantGlob}' THEN substr(${column}, 1, 23) || 'Z' END`
const sqliteCanonical = `json_object(${canonicalLayout.map(([field, kind]) => `'${field}', ${kind === 'instant' ? sqliteInstant23(`"${field}"`) : `"${field}"`}`).join(', ')})`

const postgresCanonical = canonicalSql({
  string: (column) => `COALESCE(to_json(${column})::text, 'null')`,
  integer: (column) => `${column}::text`,
  instant: (column) => `'"' || to_char(${column}, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') || '"'`,
})

const canonicalRowOf = (row: Row): CanonicalRow => ({ seq: row[0] as number, prevHash: row[1] as string, canonical: row[2] as string | null, hash: row[3] as string })

const SCAN_PAGE = 10_000

function sqliteReader(config: DatabaseConfig): ChainReader {
  const connection = new Sqlite(sqliteFilePath(config), { readonly: true, fileMustExist: true })
  const page = connection
    .prepare<[number, number], Row>(`SELECT "seq", "prevHash", ${sqliteCanonical}, "hash" FROM "AuditEvent" WHERE "seq" > ? ORDER BY "seq" ASC LIMIT ?`)
    .raw(true)
  const range = connection
    .prepare<[number, number, number], Row>(
      `SELECT "seq", "prevHash", "prevHash" || ${sqliteCanonical}, "hash" FROM "AuditEvent" WHERE "seq" >= ? AND "seq" <= ? ORDER BY "seq" ASC LIMIT ?`,
    )
    .raw(true)
  const one = connection.prepare<[number], Row>(`SELECT ${columns} FROM "AuditEvent" WHERE "seq" = ?`).raw(true)
  const highest = connection.prepare<[], Row>(`SELECT MAX("seq") FROM "AuditEvent"`).raw(true)
  return {
    async page(after, limit) {
      return page.all(after, limit).map(canonicalRowOf)
    },
    async scan(first, last, visit) {
      // Synchronous pages: one thread either way, and no object per row; SQLite joins the
      // hash input itself, one string fewer to build here.
      for (let from = first; ;) {
        const rows = range.all(from, last ?? Number.MAX_SAFE_INTEGER, SCAN_PAGE)
        for (const row of rows) visit(row[0] as number, row[1] as string, row[2] as string | null, row[3] as string)
        if (rows.length < SCAN_PAGE) return
        from = (rows[rows.length - 1]![0] as number) + 1
      }
    },
    async maxSeq() {
      return (highest.get()?.[0] as number | null) ?? 0
    },
    async event(seq) {
      const row = one.get(seq)
      return row ? eventOf(row, isoFromSqlite(row[1])) : null
    },
    async hashesAt(seqs) {
      if (seqs.length === 0) return new Map()
      const rows = connection
        .prepare<number[], { seq: number; hash: string }>(`SELECT "seq", "hash" FROM "AuditEvent" WHERE "seq" IN (${seqs.map(() => '?').join(', ')})`)
        .all(...seqs)
      return new Map(rows.map((row) => [row.seq, row.hash]))
    },
    async close() {
      connection.close()
    },
  }
}

// TIMESTAMP and TIMESTAMPTZ come back as their text: node-postgres would build a Date per row.
const TIMESTAMP_OIDS = new Set([1114, 1184])
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    TIMESTAMP_OIDS.has(oid) ? (value: string) => value : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
}

async function postgresReader(config: DatabaseConfig): Promise<ChainReader> {
  const client = new pg.Client({ connectionString: config.url, types })
  await client.connect()
  return {
    async page(after, limit) {
      const { rows } = await client.query<Row>({
        name: 'audit-chain-page',
        text: `SELECT "seq", "prevHash", ${postgresCanonical}, "hash" FROM "AuditEvent" WHERE "seq" > $1 ORDER BY "seq" ASC LIMIT $2`,
        values: [after, limit],
        rowMode: 'array',
      })
      return rows.map(canonicalRowOf)
    },
    scan(first, last, visit) {
      if (!Number.isSafeInteger(first) || (last !== null && !Number.isSafeInteger(last))) throw new RangeError(`scan bounds must be integers: ${first}, ${last}`)
      const bounds = `"seq" >= ${first}${last === null ? '' : ` AND "seq" <= ${last}`}`
      return copyScan(client, `SELECT "seq"::int4, "prevHash", "prevHash" || ${postgresCanonical}, "hash" FROM "AuditEvent" WHERE ${bounds} ORDER BY "seq" ASC`, visit)
    },
    async maxSeq() {
      const { rows } = await client.query<Row>({ text: `SELECT MAX("seq") FROM "AuditEvent"`, rowMode: 'array' })
      return (rows[0]?.[0] as number | null) ?? 0
    },
    async event(seq) {
      const { rows } = await client.query<Row>({ text: `SELECT ${columns} FROM "AuditEvent" WHERE "seq" = $1`, values: [seq], rowMode: 'array' })
      return rows[0] ? eventOf(rows[0], isoFromPostgres(rows[0][1] as string)) : null
    },
    async hashesAt(seqs) {
      const { rows } = await client.query<{ seq: number; hash: string }>(`SELECT "seq", "hash" FROM "AuditEvent" WHERE "seq" = ANY($1::int[])`, [seqs])
      return new Map(rows.map((row) => [row.seq, row.hash]))
    },
    async close() {
      await client.end()
    },
  }
}

export async function openChainReader(config: DatabaseConfig): Promise<ChainReader> {
  return config.provider === 'sqlite' ? sqliteReader(config) : postgresReader(config)
}
