import { after, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import Sqlite from 'better-sqlite3'
import { canonicalFields, type ChainedFields } from './chain'
import { isoFromPostgres, isoFromSqlite, openChainReader } from './chain-reader.server'

describe('the chain reader', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'parallax-chain-reader-'))
  after(() => rmSync(dir, { recursive: true, force: true }))

  it('turns both databases’ instants into the text toISOString writes, and marks one that does not parse', () => {
    assert.equal(isoFromSqlite('2026-01-01T00:00:00.997+00:00'), '2026-01-01T00:00:00.997Z')
    assert.equal(isoFromSqlite('2026-01-01 01:00:00.5+01:00'), '2026-01-01T00:00:00.500Z')
    assert.equal(isoFromSqlite(Date.UTC(2026, 0, 1)), '2026-01-01T00:00:00.000Z')
    assert.match(isoFromSqlite('not a date'), /^unreadable/)
    assert.equal(isoFromPostgres('2026-01-01 00:00:00.997'), '2026-01-01T00:00:00.997Z')
    assert.equal(isoFromPostgres('2026-01-01 00:00:00.99'), '2026-01-01T00:00:00.990Z')
    assert.equal(isoFromPostgres('2026-01-01 00:00:00'), '2026-01-01T00:00:00.000Z')
    assert.match(isoFromPostgres('infinity'), /^unreadable/)
  })

  it('has SQLite write the canonical text canonicalFields writes, nulls, quotes, control and non-ASCII characters included', async () => {
    const file = path.join(dir, 'chain.db')
    const connection = new Sqlite(file)
    // The columns as the migration makes them (prisma/migrations/*_init), DateTime stored as Prisma's adapter writes it.
    connection.exec(
      `CREATE TABLE "AuditEvent" ("seq" INTEGER NOT NULL PRIMARY KEY, "occurredAt" DATETIME NOT NULL, "eventType" TEXT NOT NULL, "eventCode" TEXT NOT NULL, "eventTypeCode" TEXT, "action" TEXT NOT NULL, "outcome" INTEGER NOT NULL, "actorId" TEXT, "actorName" TEXT, "actorRole" TEXT, "sourceIp" TEXT, "entities" TEXT NOT NULL, "details" TEXT NOT NULL, "prevHash" TEXT NOT NULL, "hash" TEXT NOT NULL)`,
    )
    const tricky = 'Ö "quoted" \\ back\nline\t\u0001\u001f \u007f \u2028 😀 </script>'
    const base: ChainedFields = {
      seq: 1,
      occurredAt: new Date(Date.UTC(2026, 10, 27, 12, 0, 1, 7)),
      eventType: 'login',
      eventCode: '110114',
      eventTypeCode: '110122',
      action: 'E',
      outcome: 0,
      actorId: 'user-1',
      actorName: 'user1',
      actorRole: 'radiologist',
      sourceIp: '192.0.2.1',
      entities: '[]',
      details: '{"username":"user1"}',
    }
    const variants: ChainedFields[] = [
      base,
      { ...base, seq: 2, eventTypeCode: null, actorId: null, actorName: null, actorRole: null, sourceIp: null, outcome: 12 },
      { ...base, seq: 3, actorName: tricky, details: JSON.stringify({ note: tricky }), entities: JSON.stringify([{ id: tricky }]), occurredAt: new Date(0) },
    ]
    const insert = connection.prepare(`INSERT INTO "AuditEvent" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
    for (const fields of variants) {
      const { seq, occurredAt, eventType, eventCode, eventTypeCode, action, outcome, actorId, actorName, actorRole, sourceIp, entities, details } = fields
      const instant = (occurredAt as Date).toISOString().replace('Z', '+00:00')
      insert.run(seq, instant, eventType, eventCode, eventTypeCode, action, outcome, actorId, actorName, actorRole, sourceIp, entities, details, 'p'.repeat(64), 'h'.repeat(64))
    }
    // The same first 23 characters at another offset is another instant: never the text of the first.
    const shifted = (base.occurredAt as Date).toISOString().replace('Z', '+05:00')
    insert.run(
      4,
      shifted,
      base.eventType,
      base.eventCode,
      base.eventTypeCode,
      base.action,
      base.outcome,
      null,
      null,
      null,
      null,
      base.entities,
      base.details,
      'p'.repeat(64),
      'h'.repeat(64),
    )
    connection.close()
    const reader = await openChainReader({ provider: 'sqlite', url: `file:${file}` })
    try {
      const rows = await reader.page(0, 10)
      assert.deepEqual(
        rows.slice(0, 3).map((row) => row.canonical),
        variants.map((fields) => canonicalFields(fields)),
      )
      const unshifted = canonicalFields({ ...base, seq: 4, actorId: null, actorName: null, actorRole: null, sourceIp: null })
      assert.notEqual(rows[3]!.canonical, unshifted)
      // Recomputed from the row, as the verifier then does: the instant it really holds.
      const recomputed = await reader.event(4)
      assert.ok(recomputed && recomputed.occurredAt === isoFromSqlite(shifted) && recomputed.occurredAt !== (base.occurredAt as Date).toISOString())
      const event = await reader.event(3)
      assert.equal(event && canonicalFields(event), canonicalFields(variants[2]!))
      assert.equal(await reader.event(5), null)
    } finally {
      await reader.close()
    }
  })
})
