// npm run crash:cycles [-- --cycles 200 --db sqlite|postgresql|both]
// kill -9 of the writer during concurrent writes (cycles.ts), on a fresh SQLite file and on
// a throwaway PostgreSQL (tests/support/postgres.ts, or PARALLAX_TEST_POSTGRES_URL).
// Prints, per database, the cycles run, the writes acknowledged and lost, and whether the
// audit chain verified after every restart; exit 1 when a write was lost or the chain broke.
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { startPostgres } from '../../tests/support/postgres'
import { describeReport, runKillCycles, type KillCycleReport } from './cycles'

const { values } = parseArgs({ options: { cycles: { type: 'string', default: '200' }, db: { type: 'string', default: 'both' } } })
const cycles = Number(values.cycles)
const progress = (cycle: number, report: KillCycleReport) => {
  if (cycle % 20 === 0)
    console.log(`  ${report.provider}: ${cycle}/${cycles} cycles, ${report.acknowledgedAudits + report.acknowledgedReads} writes acknowledged, ${report.lost.length} lost`)
}

const reports: KillCycleReport[] = []
if (values.db === 'sqlite' || values.db === 'both') {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'parallax-crash-sqlite-'))
  try {
    reports.push(await runKillCycles({ databaseUrl: `file:${path.join(dir, 'crash.db')}`, cycles, onCycle: progress }))
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
if (values.db === 'postgresql' || values.db === 'both') {
  const server = await startPostgres()
  try {
    reports.push(await runKillCycles({ databaseUrl: await server.createDatabase('parallax_crash'), cycles, onCycle: progress }))
  } finally {
    server.stop()
  }
}
for (const report of reports) {
  console.log(describeReport(report))
  for (const problem of [...report.lost, ...report.chainFailures, ...report.refusals].slice(0, 20)) console.log(`  ${problem}`)
}
process.exit(reports.every((report) => report.lost.length === 0 && report.chainFailures.length === 0) ? 0 : 1)
