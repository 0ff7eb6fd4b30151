// npm run fuzz [-- --mutants 10000 --seed 13 --workers 2 --deadline-ms 60000 --out fuzz-report.json]
// Structure-aware fuzzing of ingestion and decoding over the real seed files (tests/fuzz/).
// Prints mutants run, crashes and hangs; exit 1 when there is any crash or hang. With
// --out, writes the report (failures and the notable mutants, each with its recipe).
import { writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { runCampaign, summary } from '../tests/fuzz/campaign'
import { loadSeeds } from '../tests/fuzz/seeds'

const { values } = parseArgs({
  options: {
    mutants: { type: 'string', default: '10000' },
    seed: { type: 'string', default: '13' },
    workers: { type: 'string' },
    'deadline-ms': { type: 'string', default: '60000' },
    out: { type: 'string' },
  },
})

const seeds = loadSeeds()
if (seeds.length === 0) {
  console.error('No seed files: put the shared data at ../shared/data (or set PARALLAX_DATA_DIR).')
  process.exit(1)
}
const mutants = Number(values.mutants)
console.log(`${seeds.length} seed files; ${mutants} mutants`)
let lastPercent = -1
const report = await runCampaign({
  seed: Number(values.seed),
  mutants,
  seeds,
  workers: values.workers ? Number(values.workers) : undefined,
  deadlineMs: Number(values['deadline-ms']),
  onProgress: (done, total) => {
    const percent = Math.floor((done / total) * 10) * 10
    if (percent !== lastPercent) {
      lastPercent = percent
      console.log(`  ${done}/${total}`)
    }
  },
})
console.log(summary(report))
for (const failure of [...report.crashes, ...report.hangs]) console.log(`  ${failure.kind} #${failure.index}: ${failure.message}\n    ${JSON.stringify(failure.recipe)}`)
if (values.out) writeFileSync(values.out, JSON.stringify(report, null, 2))
process.exit(report.crashes.length + report.hangs.length === 0 ? 0 : 1)
