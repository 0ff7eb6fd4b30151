// The whole-chain pass read as seq ranges at once (lib/audit/chain-ranges.server.ts), on both
// databases: on a trail of 40 events in 4 ranges (anchors 0, 10, 20, 30, the last range
// open), each tampering gives the verdict and the checkpoint heads that the sequential
// pass (readChain, the oracle) gives, and the one named here: in the middle of a range, at
// a seam, in the open tail, a range cut short, an anchor gone, a checkpoint deleted.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { Db } from '../../lib/db/client.server'
import { throwawayPostgres } from '../support/postgres'

const dir = mkdtempSync(path.join(os.tmpdir(), 'parallax-chain-ranges-'))
after(() => rmSync(dir, { recursive: true, force: true }))
// Before the modules load: the signing key is cached per process.
process.env.PARALLAX_AUDIT_KEY_FILE = path.join(dir, 'audit-signing-key.pem')
const { createDatabase } = await import('../../lib/db/client.server')
const { resolveDatabaseConfig } = await import('../../lib/db/config')
const { applyMigrations } = await import('../../lib/db/migrate.server')
const { hashEvent, GENESIS_HASH } = await import('../../lib/audit/chain')
const { readChain, readWholeChain } = await import('../../lib/audit/verify.server')
const { createAuditCheckpoints, verifyAuditTrail } = await import('../../lib/audit/checkpoints.server')
const { DirectoryWitness } = await import('../../lib/audit/witness.server')

const EVENTS = 40
const RANGES = { ranges: 4, minRangeEvents: 1 }
const WANTED = [10, 20, 25, 30, 40, 99]

function defineRangeTests(provider: 'sqlite' | 'postgresql', databaseUrl: () => Promise<string>) {
  describe(`the whole chain read in ranges (${provider})`, () => {
    let db: Db
    let witness: InstanceType<typeof DirectoryWitness>
    const p = (index: number) => (provider === 'sqlite' ? '?' : `$${index}`)
    const ownerSql = (sql: string, ...values: unknown[]) => db.$executeRawUnsafe(sql, ...values)
    const guards = {
      async off() {
        if (provider === 'sqlite') {
          for (const name of ['AuditEvent_no_update', 'AuditEvent_no_delete']) await ownerSql(`DROP TRIGGER IF EXISTS "${name}"`)
        } else await ownerSql(`ALTER TABLE "AuditEvent" DISABLE TRIGGER USER`)
      },
    }

    before(async () => {
      const url = await databaseUrl()
      const config = resolveDatabaseConfig(url)
      await applyMigrations(config)
      db = createDatabase(config).db
      let prevHash = GENESIS_HASH
      for (let seq = 1; seq <= EVENTS; seq += 1) {
        const fields = {
          seq,
          occurredAt: new Date(Date.UTC(2026, 0, 1, 0, 0, seq, 7)),
          eventType: 'access-denied',
          eventCode: '110113',
          eventTypeCode: null,
          action: 'E',
          outcome: 4,
          actorId: null,
          actorName: null,
          actorRole: null,
          sourceIp: '192.0.2.7',
          entities: '[]',
          details: JSON.stringify({ resource: `/api/${seq}` }),
        }
        const hash = hashEvent(prevHash, fields)
        await db.auditEvent.create({ data: { ...fields, prevHash, hash } })
        prevHash = hash
      }
      witness = new DirectoryWitness(mkdtempSync(path.join(dir, `witness-${provider}-`)))
      assert.equal((await createAuditCheckpoints(db, new Date(Date.UTC(2026, 0, 2)), witness)).length, 1)
      await guards.off()
    })
    after(() => db?.$disconnect())

    /** The ranged pass against the sequential one: the same verdict, the same heads. */
    async function both() {
      const ranged = await readWholeChain(db, { ...RANGES, heads: WANTED })
      const sequential = await readChain(db, { heads: WANTED })
      assert.deepEqual(ranged.verdict, sequential.verdict)
      assert.deepEqual([...ranged.heads].sort(), [...sequential.heads].sort())
      return ranged
    }

    /** Runs `tamper`, checks, and puts every event back as it was. */
    async function tampered(tamper: () => Promise<unknown>, check: (pass: Awaited<ReturnType<typeof both>>) => void | Promise<void>) {
      const saved = await db.auditEvent.findMany({ orderBy: { seq: 'asc' } })
      await tamper()
      try {
        await check(await both())
      } finally {
        await ownerSql(`DELETE FROM "AuditEvent"`)
        await db.auditEvent.createMany({ data: saved })
      }
      assert.ok((await both()).verdict.ok, 'the trail verifies again once restored')
    }

    const edit = (seq: number) => ownerSql(`UPDATE "AuditEvent" SET "details" = ${p(1)} WHERE "seq" = ${p(2)}`, '{"resource":"/nothing-to-see"}', seq)
    const failure = (pass: Awaited<ReturnType<typeof both>>) => {
      assert.ok(!pass.verdict.ok, 'the tampering went unnoticed')
      return { firstBadSeq: pass.verdict.firstBadSeq, problem: pass.verdict.problem }
    }

    it('an intact trail: every event once, the heads from the ranges they fall in', async () => {
      const pass = await both()
      assert.ok(pass.verdict.ok && pass.verdict.count === EVENTS && pass.verdict.headSeq === EVENTS, JSON.stringify(pass.verdict))
      assert.deepEqual(
        [...pass.heads.keys()].sort((a, b) => a - b),
        [10, 20, 25, 30, 40],
      )
      assert.equal(pass.rechecked, 0)
    })

    // Each tampering, and the first event the ranged pass must name, as the sequential one does.
    const tamperings: [string, () => Promise<unknown>, { firstBadSeq: number; problem: string }][] = [
      ['an event edited in the middle of a range', () => edit(15), { firstBadSeq: 15, problem: 'hash-mismatch' }],
      ['an event edited at a seam: the last of one range, the anchor of the next', () => edit(20), { firstBadSeq: 20, problem: 'hash-mismatch' }],
      [
        'the first event after a seam relinked',
        () => ownerSql(`UPDATE "AuditEvent" SET "prevHash" = ${p(1)} WHERE "seq" = 21`, 'f'.repeat(64)),
        { firstBadSeq: 21, problem: 'prev-hash-mismatch' },
      ],
      ['an event edited in the open tail', () => edit(38), { firstBadSeq: 38, problem: 'hash-mismatch' }],
      ['an anchor gone: the event a range hangs from', () => ownerSql(`DELETE FROM "AuditEvent" WHERE "seq" = 30`), { firstBadSeq: 30, problem: 'seq-gap' }],
    ]
    for (const [name, tamper, expected] of tamperings) it(name, () => tampered(tamper, (pass) => assert.deepEqual(failure(pass), expected)))

    it('a range cut short at its end', () =>
      tampered(
        () => ownerSql(`DELETE FROM "AuditEvent" WHERE "seq" BETWEEN 18 AND 20`),
        (pass) => {
          assert.deepEqual(failure(pass), { firstBadSeq: 18, problem: 'seq-gap' })
          assert.ok(!pass.verdict.ok && /expected event 18, found 21/.test(pass.verdict.message))
        },
      ))

    it('the trail cut short inside the last range: the chain alone cannot tell, as sequentially', () =>
      tampered(
        () => ownerSql(`DELETE FROM "AuditEvent" WHERE "seq" > 35`),
        (pass) => assert.ok(pass.verdict.ok && pass.verdict.headSeq === 35 && !pass.heads.has(40), JSON.stringify(pass.verdict)),
      ))

    it('a checkpoint deleted, and its range edited: verifyAuditTrail in ranges names them', async () => {
      assert.ok((await verifyAuditTrail(db, witness, RANGES)).ok)
      const [checkpoint] = await db.auditCheckpoint.findMany()
      if (provider === 'sqlite') await ownerSql(`DROP TRIGGER IF EXISTS "AuditCheckpoint_no_delete"`)
      else await ownerSql(`ALTER TABLE "AuditCheckpoint" DISABLE TRIGGER USER`)
      await db.auditCheckpoint.delete({ where: { id: checkpoint!.id } })
      try {
        const verdict = await verifyAuditTrail(db, witness, RANGES)
        assert.deepEqual(verdict.ok ? null : { firstBadSeq: verdict.firstBadSeq, problem: verdict.problem }, { firstBadSeq: 1, problem: 'checkpoint-missing' })
      } finally {
        await db.auditCheckpoint.create({ data: checkpoint! })
      }
      await tampered(
        () => edit(25),
        async () => {
          const verdict = await verifyAuditTrail(db, witness, RANGES)
          assert.deepEqual(verdict.ok ? null : { firstBadSeq: verdict.firstBadSeq, problem: verdict.problem }, { firstBadSeq: 25, problem: 'hash-mismatch' })
        },
      )
      assert.ok((await verifyAuditTrail(db, witness, RANGES)).ok)
    })
  })
}

defineRangeTests('sqlite', async () => `file:${path.join(dir, 'ranges.db')}`)

const { server, unavailable } = await throwawayPostgres()
if (server) defineRangeTests('postgresql', () => server.createDatabase('parallax_chain_ranges'))
else if (process.env.CI === 'true')
  it('PostgreSQL is available (required in CI)', () => {
    throw new Error(`PostgreSQL chain-range tests cannot run in CI: ${unavailable}`)
  })
else it('the whole chain read in ranges (postgresql)', { skip: `PostgreSQL unavailable: ${unavailable}` }, () => {})
