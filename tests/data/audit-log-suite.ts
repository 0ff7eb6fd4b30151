// Part of the data-layer suite (data-layer-suite.ts): the append-only, hash-chained audit
// log under concurrent appends, the database's guards, signed checkpoints, and tampering
// (edits, reordering, truncation, deletion) found by the library and by `npm run audit:verify`.
import { before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Db } from '../../lib/db/client.server'
import type { DataLayerContext, Modules } from './data-layer-context'

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')

interface CliResult {
  code: number | null
  stdout: string
  stderr: string
}

/**
 * Runs the `npm run audit:verify` script in a separate process against the given database.
 * `node --import tsx` is what the tsx CLI does, without its extra wrapper process.
 */
export function runAuditVerifyCli(databaseUrl: string): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--conditions=react-server', '--import', 'tsx', 'scripts/audit-verify.ts'], {
      cwd: projectRoot,
      env: { ...process.env, DATABASE_URL: databaseUrl },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk) => (stdout += chunk))
    child.stderr.on('data', (chunk) => (stderr += chunk))
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
  })
}

export function defineAuditLogTests(c: DataLayerContext): void {
  const { provider, auditCount, auditRow, withGuardsLifted, assertRefusedByDatabase } = c

  describe('audit log', () => {
    let m: Modules
    let db: Db
    let url: string

    before(() => {
      m = c.m
      db = c.db
      url = c.url
    })

    it('20 concurrent appends produce a contiguous chain that verifies', async () => {
      const head = await auditCount()
      const seqs = await Promise.all(
        Array.from({ length: 20 }, (_, index) =>
          m.append.recordAudit(db, { type: 'access-denied', resource: `/api/probe/${index}`, method: 'GET' }, { actor: null, sourceIp: '192.0.2.20' }),
        ),
      )
      assert.deepEqual(
        [...seqs].sort((a, b) => a - b),
        Array.from({ length: 20 }, (_, index) => head + 1 + index),
      )
      const events = await db.auditEvent.findMany({ where: { seq: { gt: head } }, orderBy: { seq: 'asc' } })
      assert.equal(events.length, 20)
      assert.deepEqual(events.map((event) => JSON.parse(event.entities)[0].id).sort(), Array.from({ length: 20 }, (_, index) => `/api/probe/${index}`).sort())
      const verdict = await m.verify.verifyAuditChain(db)
      assert.ok(verdict.ok, JSON.stringify(verdict))
      assert.equal(verdict.headSeq, head + 20)
      assert.equal(verdict.count, head + 20)
    })

    it('verifies across page and range boundaries', async () => {
      const whole = await m.verify.verifyAuditChain(db)
      const paged = (await m.verify.readChain(db, { pageSize: 3 })).verdict
      const ranged = await m.verify.verifyAuditChain(db, { ranges: 3, minRangeEvents: 1 })
      assert.ok(whole.ok)
      assert.deepEqual(paged, whole)
      assert.deepEqual(ranged, whole)
    })

    it("the database writes each event's canonical text as canonicalFields does: nothing is recomputed on an intact chain", async () => {
      const tricky = 'Ö "quoted" \\ back\nline\t\u0001 \u007f \u2028 😀 </script>'
      await m.append.recordAudit(db, { type: 'access-denied', resource: `/api/${tricky}`, method: 'GET' }, { actor: null, sourceIp: tricky })
      const pass = await m.verify.readChain(db)
      assert.ok(pass.verdict.ok, JSON.stringify(pass.verdict))
      assert.equal(pass.rechecked, 0)
    })

    it('the database refuses UPDATE on AuditEvent', async () => {
      const original = await auditRow(2)
      await assert.rejects(db.$executeRawUnsafe(`UPDATE "AuditEvent" SET "details" = '{"username":"mallory"}' WHERE "seq" = 2`), /append-only: UPDATE refused/)
      await assertRefusedByDatabase('auditEvent.update', () => db.auditEvent.update({ where: { seq: 2 }, data: { actorName: 'mallory' } }), /append-only: UPDATE refused/)
      assert.deepEqual(await auditRow(2), original)
    })

    it('the database refuses DELETE on AuditEvent', async () => {
      const count = await auditCount()
      await assert.rejects(db.$executeRawUnsafe(`DELETE FROM "AuditEvent" WHERE "seq" = 3`), /append-only: DELETE refused/)
      await assert.rejects(db.$executeRawUnsafe(`DELETE FROM "AuditEvent"`), /append-only: DELETE refused/)
      await assertRefusedByDatabase('auditEvent.deleteMany', () => db.auditEvent.deleteMany({}), /append-only: DELETE refused/)
      assert.equal(await auditCount(), count)
    })

    if (provider === 'postgresql') {
      it('the database refuses TRUNCATE on AuditEvent', async () => {
        const count = await auditCount()
        await assert.rejects(db.$executeRawUnsafe(`TRUNCATE "AuditEvent"`), /append-only: TRUNCATE refused/)
        assert.equal(await auditCount(), count)
      })
    }

    it('audit:verify exits 0 and prints OK on an intact chain', async () => {
      const count = await auditCount()
      const result = await runAuditVerifyCli(url)
      assert.equal(result.code, 0, result.stderr)
      assert.match(result.stdout, new RegExp(`^OK: ${count} audit events, chain intact \\(head seq ${count}, `))
    })

    it('an event edited behind the app is named with hash-mismatch, by the library and by audit:verify', async () => {
      const seq = 5
      const original = await auditRow(seq)
      await withGuardsLifted(async () => {
        await db.$executeRawUnsafe(`UPDATE "AuditEvent" SET "details" = '{"role":"admin","username":"tess"}' WHERE "seq" = ${seq}`)
      })
      assert.notEqual((await auditRow(seq)).details, original.details)

      const verdict = await m.verify.verifyAuditChain(db)
      assert.ok(!verdict.ok)
      assert.equal(verdict.firstBadSeq, seq)
      assert.equal(verdict.problem, 'hash-mismatch')

      const result = await runAuditVerifyCli(url)
      assert.equal(result.code, 1)
      assert.match(result.stderr, new RegExp(`FAILED at seq ${seq}: .*\\(hash-mismatch\\)`))

      // Put the original text back: the chain verifies again, so that edit alone broke it.
      await withGuardsLifted(async () => {
        await db.auditEvent.update({ where: { seq }, data: { details: original.details } })
      })
      assert.ok((await m.verify.verifyAuditChain(db)).ok)
    })

    it('the guards are back in force after tampering', async () => {
      await assert.rejects(db.$executeRawUnsafe(`UPDATE "AuditEvent" SET "outcome" = 12 WHERE "seq" = 1`), /append-only: UPDATE refused/)
      await assert.rejects(db.$executeRawUnsafe(`DELETE FROM "AuditEvent" WHERE "seq" = 1`), /append-only: DELETE refused/)
    })

    it('signs checkpoints over the events so far; the chain and every checkpoint verify (library and CLI)', async () => {
      const written = await m.checkpoints.createAuditCheckpoints(db)
      assert.ok(written.length >= 1)
      assert.equal(written.at(-1)!.toSeq, await auditCount())
      assert.deepEqual(await m.checkpoints.createAuditCheckpoints(db), [], 'nothing new to sign')
      const verdict = await m.checkpoints.verifyAuditTrail(db)
      assert.ok(verdict.ok && verdict.checkpoints === written.length, JSON.stringify(verdict))
      const cli = await runAuditVerifyCli(url)
      assert.equal(cli.code, 0, cli.stderr)
      assert.match(cli.stdout, new RegExp(`, ${written.length} signed checkpoint\\(s\\) verified`))
    })

    it('the database refuses UPDATE and DELETE on checkpoints', async () => {
      await assert.rejects(db.$executeRawUnsafe(`UPDATE "AuditCheckpoint" SET "rootHash" = 'x'`), /AuditCheckpoint is append-only: UPDATE refused/)
      await assert.rejects(db.$executeRawUnsafe(`DELETE FROM "AuditCheckpoint"`), /AuditCheckpoint is append-only: DELETE refused/)
    })

    it('events reordered behind the app are named at the first moved seq', async () => {
      const [a, b] = [await auditRow(3), await auditRow(4)]
      const swap = async (first: number, second: number) =>
        withGuardsLifted(async () => {
          await db.$executeRawUnsafe(`UPDATE "AuditEvent" SET "seq" = -1 WHERE "seq" = ${first}`)
          await db.$executeRawUnsafe(`UPDATE "AuditEvent" SET "seq" = ${first} WHERE "seq" = ${second}`)
          await db.$executeRawUnsafe(`UPDATE "AuditEvent" SET "seq" = ${second} WHERE "seq" = -1`)
        })
      await swap(3, 4)
      assert.equal((await auditRow(3)).hash, b.hash)
      const verdict = await m.checkpoints.verifyAuditTrail(db)
      assert.ok(!verdict.ok)
      assert.equal(verdict.firstBadSeq, 3)
      await swap(3, 4)
      assert.equal((await auditRow(3)).hash, a.hash)
      assert.ok((await m.checkpoints.verifyAuditTrail(db)).ok)
    })

    it('a trail truncated after a checkpoint is detected, though the shorter chain is itself intact', async () => {
      for (let index = 0; index < 3; index++) {
        await m.append.recordAudit(db, { type: 'access-denied', resource: `/api/truncate/${index}`, method: 'GET' }, { actor: null, sourceIp: '192.0.2.30' })
      }
      await m.checkpoints.createAuditCheckpoints(db)
      const head = await auditCount()
      const removed = await db.auditEvent.findMany({ where: { seq: { gt: head - 2 } }, orderBy: { seq: 'asc' } })
      await withGuardsLifted(async () => {
        await db.$executeRawUnsafe(`DELETE FROM "AuditEvent" WHERE "seq" > ${head - 2}`)
      })
      assert.ok((await m.verify.verifyAuditChain(db)).ok, 'the chain alone cannot tell')
      const verdict = await m.checkpoints.verifyAuditTrail(db)
      assert.ok(!verdict.ok)
      assert.equal(verdict.problem, 'truncated')
      assert.equal(verdict.firstBadSeq, head - 1)
      const cli = await runAuditVerifyCli(url)
      assert.equal(cli.code, 1)
      assert.match(cli.stderr, new RegExp(`FAILED at seq ${head - 1} \\(checkpoint (\\d+) of \\1\\): .*\\(truncated\\)`))
      // Put the events back: the trail verifies again.
      await db.auditEvent.createMany({ data: removed })
      assert.ok((await m.checkpoints.verifyAuditTrail(db)).ok)
    })

    it('an event deleted behind the app is named as the missing seq', async () => {
      const seq = 7
      const count = await auditCount()
      assert.ok(count > seq + 1, 'needs events after the deleted one')
      await withGuardsLifted(async () => {
        await db.$executeRawUnsafe(`DELETE FROM "AuditEvent" WHERE "seq" = ${seq}`)
      })
      assert.equal(await auditCount(), count - 1)

      const verdict = await m.verify.verifyAuditChain(db)
      assert.ok(!verdict.ok)
      assert.equal(verdict.firstBadSeq, seq)
      assert.equal(verdict.problem, 'seq-gap')
      assert.match(verdict.message, new RegExp(`expected event ${seq}, found ${seq + 1}`))
    })
  })
}
