// Cohort throughput: series per minute of `npm run infer -- --cohort` (runCohort, the CLI's
// own code) on a generated cohort of phantom chest CTs, with one worker thread and with
// two, in the same run on the same files. Each run starts from an empty output folder and
// includes starting its workers (model session, decoder) and writing SEG and summary.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { runCohort } from '../../lib/inference/cohort-runner.server'
import { generateChestPhantom } from '../../lib/synthetic/chest-phantom'
import { studyIdentity } from '../../lib/synthetic/studies'
import { writeCtSeries } from '../../lib/synthetic/write-ct-series'

export interface CohortThroughput {
  workers: number
  series: number
  milliseconds: number
  seriesPerMinute: number
}

export interface CohortBenchOptions {
  studies: number
  /** Images per series and their size. */
  slices: number
  size: number
  model: string
  workerCounts: readonly number[]
}

export async function measureCohortThroughput(options: CohortBenchOptions): Promise<CohortThroughput[]> {
  const work = mkdtempSync(path.join(os.tmpdir(), 'parallax-bench-cohort-'))
  try {
    const cohort = path.join(work, 'cohort')
    for (let index = 0; index < options.studies; index++) {
      const phantom = generateChestPhantom({
        seed: 70_000 + index,
        noduleCount: index % 3,
        columns: options.size,
        rows: options.size,
        slices: options.slices,
        pixelSpacing: 320 / options.size,
      })
      const dir = path.join(cohort, `study${index}`)
      mkdirSync(dir, { recursive: true })
      writeCtSeries(phantom, studyIdentity(70_000 + index, `Bench${index}`)).forEach((bytes, k) => writeFileSync(path.join(dir, `im${k}.dcm`), bytes))
    }
    const results: CohortThroughput[] = []
    for (const workers of options.workerCounts) {
      const started = performance.now()
      const result = await runCohort({ folder: cohort, modelId: options.model, out: path.join(work, `out-${workers}`), workers, force: false })
      const milliseconds = performance.now() - started
      if (result.progress.done !== options.studies)
        throw new Error(`${workers} worker(s): ${result.progress.done} of ${options.studies} series ran (${result.progress.failed} failed)`)
      results.push({ workers, series: result.progress.done, milliseconds, seriesPerMinute: (result.progress.done / milliseconds) * 60_000 })
    }
    return results
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
}
