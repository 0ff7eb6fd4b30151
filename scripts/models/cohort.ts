// npm run infer -- --cohort <folder> --model <id> --out <dir> [--workers n] [--shard i/n] [--truth <dir>] [--force]
// npm run infer -- --cohort-pacs <DICOMweb root> [--query <QIDO-RS query>] --model <id> --out <dir> [same options]
// The cohort mode of the CLI (lib/inference/cohort-runner.server.ts, and for a PACS
// lib/inference/cohort-pacs.server.ts): a progress line with an ETA on stderr, the
// summary's location on stdout; exit status 1 when a series failed.
import os from 'node:os'
import path from 'node:path'
import { parseShard, progressLine as progressLineOf, type CohortProgress } from '../../lib/inference/cohort'
import { pacsSource, runPacsCohort } from '../../lib/inference/cohort-pacs.server'
import { runCohort, SUMMARY_FILE } from '../../lib/inference/cohort-runner.server'

export interface CohortCliArgs {
  /** A folder tree, or with `pacs` set, the PACS's DICOMweb root URL. */
  folder: string
  pacs?: boolean
  query?: string
  modelId: string
  out: string
  workers?: string
  shard?: string
  truth?: string
  force: boolean
}

export async function runCohortCli(args: CohortCliArgs): Promise<number> {
  const workers = args.workers === undefined ? 1 : Number(args.workers)
  if (!Number.isInteger(workers) || workers < 1 || workers > os.availableParallelism() * 2) throw new Error(`--workers takes a whole number from 1 to ${os.availableParallelism() * 2}`)
  const shard = args.shard === undefined ? undefined : parseShard(args.shard)
  const tty = process.stderr.isTTY
  const line = (text: string) => process.stderr.write(`${tty ? '\r\x1b[2K' : ''}[cohort] ${text}${tty ? '' : '\n'}`)
  const common = {
    modelId: args.modelId,
    out: args.out,
    workers,
    shard,
    truth: args.truth,
    force: args.force,
    onProgress: (progress: CohortProgress) => line(progressLineOf(progress)),
  }
  const result = args.pacs
    ? await runPacsCohort({ ...common, source: pacsSource(args.folder, args.query), onRetrieve: (done, total) => line(`retrieved ${done}/${total} series from the PACS`) })
    : await runCohort({ ...common, folder: args.folder })
  if (tty) process.stderr.write('\n')
  const { done, skipped, failed, resumed } = result.progress
  const shardText = shard ? ` (shard ${shard.index}/${shard.count})` : ''
  console.log(`${done} series run, ${resumed} resumed, ${skipped} skipped, ${failed} failed${shardText}; ${result.rejected} file(s) not DICOM images → ${path.join(args.out, SUMMARY_FILE)}`)
  return failed > 0 ? 1 : 0
}
