// kill -9 of the writer during concurrent writes (scripts/crash/cycles.ts), 20 cycles on
// SQLite and on PostgreSQL: no acknowledged write lost, the audit chain verified after
// every restart. `npm run crash:cycles` runs 200 of each. And the check itself is seen to
// fail on a writer that acknowledges before it commits.
import { after, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describeReport, runKillCycles } from '../../scripts/crash/cycles'
import { throwawayPostgres } from '../support/postgres'

const dir = mkdtempSync(path.join(os.tmpdir(), 'parallax-crash-test-'))
after(() => rmSync(dir, { recursive: true, force: true }))

const { server: postgres, unavailable } = await throwawayPostgres()
if (unavailable && process.env.CI === 'true') throw new Error(`PostgreSQL kill cycles cannot run in CI: ${unavailable}`)

describe('kill -9 during concurrent writes', { timeout: 600_000 }, () => {
  it('SQLite: 20 cycles, no acknowledged write lost, the chain verifies after every restart', async () => {
    const report = await runKillCycles({ databaseUrl: `file:${path.join(dir, 'cycles.db')}`, cycles: 20 })
    console.log(describeReport(report))
    assert.deepEqual([report.lost, report.chainFailures, report.refusals], [[], [], []])
    assert.ok(report.acknowledgedAudits > 20 && report.acknowledgedReads > 20, describeReport(report))
  })

  it('PostgreSQL: 20 cycles, no acknowledged write lost, the chain verifies after every restart', { skip: unavailable ?? false }, async () => {
    const report = await runKillCycles({ databaseUrl: await postgres!.createDatabase('parallax_crash_cycles'), cycles: 20 })
    console.log(describeReport(report))
    assert.deepEqual([report.lost, report.chainFailures, report.refusals], [[], [], []])
    assert.ok(report.acknowledgedAudits > 20 && report.acknowledgedReads > 20, describeReport(report))
  })

  it('finds the writes a writer acknowledged before committing them', async () => {
    const report = await runKillCycles({ databaseUrl: `file:${path.join(dir, 'early.db')}`, cycles: 5, ackBeforeCommit: true })
    assert.ok(report.lost.length > 0, describeReport(report))
  })
})
