// npm run infer -- --cohort <folder> --model <id> --out <dir> [--workers n] [--shard i/n] [--truth <dir>] [--force]
// The cohort mode of the CLI (lib/inference/cohort-runner.server.ts): a progress line with
// an ETA on stderr, the summary's location on stdout; exit status 1 when a series failed.
import os from 'node:os'
import path from 'node:path'
import { parseShard, progressLine as progressLineOf } from '../../lib/inference/cohort'
import { runCohort, SUMMARY_FILE } from '../../lib/inference/cohort-runner.server'

export interface CohortCliArgs {
  folder: string
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
  const result = await runCohort({
    folder: args.folder,
    modelId: args.modelId,
    out: args.out,
    workers,
    shard,
    truth: args.truth,
    force: args.force,
    onProgress: (progress) => process.stderr.write(`${tty ? '\r\x1b[2K' : ''}[cohort] ${progressLineOf(progress)}${tty ? '' : '\n'}`),
  })
  if (tty) process.stderr.write('\n')
  const { done, skipped, failed, resumed } = result.progress
  const shardText = shard ? ` (shard ${shard.index}/${shard.count})` : ''
  console.log(`${done} series run, ${resumed} resumed, ${skipped} skipped, ${failed} failed${shardText}; ${result.rejected} file(s) not DICOM images → ${path.join(args.out, SUMMARY_FILE)}`)
  return failed > 0 ? 1 : 0
}
