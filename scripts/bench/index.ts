// npm run bench — performance figures measured in one run, each against a baseline
// measured in the same run on the same machine. Needs the production build (built here
// when missing) and, for the viewer and model sections, the real data in
// PARALLAX_DATA_DIR (default ../shared/data).
//
// BENCH_SECTIONS=viewer,model,cli-browser,model-checks,click-model,cohort,audit,findings,instances,agreement,annotation picks sections (default: all).
// A section that fails says why and the bench goes on with the next one, then exits 1.
// PostgreSQL (audit, findings, instances) comes from tests/support/postgres.ts; BENCH_POSTGRES=0
// skips it deliberately, anything else that keeps it from starting fails those sections.
// The findings section's clients send with node:http from a process of their own;
// BENCH_FINDINGS_CLIENT=fetch brings back the earlier generator (fetch in the bench process).
import { randomBytes } from 'node:crypto'
import { mkdtempSync, existsSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { demoAccounts } from '../../lib/users/demo-accounts'
import { measureAgreement } from './agreement'
import { measureAnnotationEdits } from './annotation-edits'
import { benchViewer } from './viewer-section'
import { measureBrowserModelRun, measureModelChecks, measureNodeModelRun } from './model-run'
import type { RunStage } from './run-stages'
import { measureCohortThroughput } from './cohort'
import { measureClickModel } from './click-model'
import { measureClassifierHeatmap } from './classifier-heatmap'
import { measureAuditVerify, scratchSqlite, useScratchAuditKey, type AuditVerifyResult } from './audit-verify'
import { measureInstances, printInstances } from './instances'
import { findingsGoals, type FindingsApiResult } from './findings-api'
import { measureFindingsLoad } from './findings-load'
import { printFindings } from './findings-print'
import { median, ms, ratio, table } from './format'
import { printAudit } from './audit-print'
import { checkGoal, printGoals, recordGoal } from './goals'
import { root, startServer, type BenchServer } from './server'
import { PostgresUnavailableError, startPostgres, type PostgresServer } from '../../tests/support/postgres'

const allSections = ['viewer', 'model', 'cli-browser', 'model-checks', 'click-model', 'cohort', 'audit', 'findings', 'instances', 'agreement', 'annotation'] as const
type Section = (typeof allSections)[number]
const requested = (process.env.BENCH_SECTIONS ?? '')
  .split(',')
  .map((name) => name.trim())
  .filter(Boolean)
const unknown = requested.filter((name) => !allSections.includes(name as Section))
if (unknown.length > 0) {
  console.error(`[bench] unknown BENCH_SECTIONS ${unknown.join(', ')}: choose from ${allSections.join(', ')}`)
  process.exit(2)
}
const sections = new Set<Section>(requested.length > 0 ? (requested as Section[]) : allSections)

const dataDir = path.resolve(process.env.PARALLAX_DATA_DIR ?? path.join(root, '../shared/data'))
const ctDir = path.join(dataDir, 'ct-chest-lidc0314')
const t1Dir = path.join(dataDir, 'mr-brain-t1')
// The brain model's file is registered from the shared data folder when the server starts.
const modelStore = mkdtempSync(path.join(os.tmpdir(), 'parallax-bench-models-'))
process.env.PARALLAX_MODEL_STORE = modelStore
// The viewer section's PACS sits behind a proxy that asks the app whether each request may
// pass, presenting this key; the app signs its PACS tokens with the other.
const pacsProxyKey = randomBytes(24).toString('hex')
process.env.PARALLAX_PACS_PROXY_KEY = pacsProxyKey
process.env.PARALLAX_PACS_TOKEN_KEY = randomBytes(24).toString('hex')
const runs = Number(process.env.BENCH_RUNS ?? 3)
const envNumber = (name: string, fallback: number) => {
  const value = Number(process.env[name] ?? fallback)
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a non-negative number`)
  return value
}

const failures: string[] = []
async function section(name: Section, run: () => Promise<void>): Promise<void> {
  if (!sections.has(name)) return
  try {
    await run()
  } catch (error) {
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error)
    console.error(`\n[bench] section "${name}" FAILED: ${message}\n`)
    failures.push(name)
  }
}

// One server for the viewer and model sections, started on first use.
let sharedServer: Promise<BenchServer> | undefined
const viewerServer = () => (sharedServer ??= startServer({ label: 'SQLite' }))
const radiologist = demoAccounts.find((candidate) => candidate.role === 'radiologist')!
const credentials = (account: { username: string; password: string }) => ({ username: account.username, password: account.password })

// One throwaway PostgreSQL cluster for the audit and findings sections, started on first use.
const postgresWanted = process.env.BENCH_POSTGRES !== '0'
let postgres: Promise<PostgresServer> | undefined
let postgresDatabases = 0
/** A fresh database URL on the bench's PostgreSQL, or null when BENCH_POSTGRES=0. Throws, loudly, when it cannot start. */
async function postgresDatabase(purpose: string): Promise<string | null> {
  if (!postgresWanted) {
    console.log(`\n[bench] PostgreSQL skipped for ${purpose} (BENCH_POSTGRES=0).`)
    return null
  }
  postgres ??= startPostgres()
  try {
    const server = await postgres
    postgresDatabases += 1
    return await server.createDatabase(`parallax_bench_${postgresDatabases}`)
  } catch (error) {
    const banner = '!'.repeat(100)
    const hint =
      error instanceof PostgresUnavailableError
        ? ''
        : process.env.PARALLAX_TEST_POSTGRES_URL
          ? ' (the server named by PARALLAX_TEST_POSTGRES_URL did not answer)'
          : ' (the binaries are there but the cluster did not start)'
    console.error(
      `\n${banner}\n[bench] PostgreSQL is UNAVAILABLE${hint}: ${(error as Error).message}\n[bench] The PostgreSQL half of ${purpose} did NOT run. Install it (apt-get install -y postgresql), point PARALLAX_TEST_POSTGRES_URL at a server, or set BENCH_POSTGRES=0 to skip it on purpose.\n${banner}\n`,
    )
    throw error
  }
}

function needData(dir: string) {
  if (!existsSync(dir)) throw new Error(`the data is missing at ${dir}: set PARALLAX_DATA_DIR to the shared data folder.`)
}

try {
  await section('viewer', async () => {
    needData(ctDir)
    const server = await viewerServer()
    const admin = demoAccounts.find((candidate) => candidate.role === 'admin')!
    await benchViewer({ baseURL: server.baseURL, ctDir, runs, radiologist: credentials(radiologist), admin: credentials(admin), pacsProxyKey })
  })

  await section('model', async () => {
    needData(t1Dir)
    const server = await viewerServer()
    const browserRun = await measureBrowserModelRun(server.baseURL, t1Dir, credentials(radiologist))
    const nodeRun = await measureNodeModelRun('brain-tissue-3class', t1Dir, browserRun.wasmThreads)
    console.log('\nBrain tissue model (brainchop MeshNet, 256³ conformed input) on the T1, 175 slices: browser (ORT-web, WASM) against the CLI runtime (onnxruntime-node, CPU)\n')
    table([
      ['stage', 'browser', 'node (same run)', 'ratio'],
      ['pre-processing', ms(browserRun.preprocessingMs), ms(nodeRun.preprocessingMs), ratio(browserRun.preprocessingMs, nodeRun.preprocessingMs)],
      ['inference (same input)', ms(browserRun.inferenceMs), ms(nodeRun.inferenceMs), ratio(browserRun.inferenceMs, nodeRun.inferenceMs)],
      ['post-processing', ms(browserRun.postprocessingMs), ms(nodeRun.postprocessingMs), ratio(browserRun.postprocessingMs, nodeRun.postprocessingMs)],
      ['end to end', ms(browserRun.totalMs), ms(nodeRun.totalMs), ratio(browserRun.totalMs, nodeRun.totalMs)],
    ])
    console.log(
      `\nbrowser end to end: Run click to labelmap shown (decoded pixels handed over, model from Cache Storage or the app, session creation included); WASM with ${browserRun.wasmThreads} thread(s) (cross-origin isolated page).`,
    )
    console.log(
      `node end to end: reading the DICOM files, session creation and the same pipeline; onnxruntime-node with ${browserRun.wasmThreads} intra-op thread(s), as the browser.`,
    )
    checkGoal('brain model inference, browser WASM / onnxruntime-node', browserRun.inferenceMs / nodeRun.inferenceMs, '×', { max: 1.1 })
    checkGoal('brain model end to end, browser / CLI', browserRun.totalMs / nodeRun.totalMs, '×', { max: 1.2 })
    console.log("\nThe browser run, stage by stage (User Timing marks on the page, the worker's own timings)\n")
    table([['stage', 'browser', 'share of click to labelmap'], ...browserRun.stages.map((row) => [row.stage, ms(row.ms), ratio(row.ms, browserRun.stages.at(-1)!.ms)])])
  })

  await section('cli-browser', async () => {
    needData(ctDir)
    const server = await viewerServer()
    const rows: string[][] = []
    const stageRuns: { model: string; stages: RunStage[] }[] = []
    for (const model of ['lesion-seg-2d', 'lesion-cls-2d']) {
      const browserRun = await measureBrowserModelRun(server.baseURL, ctDir, credentials(radiologist), model, { again: model === 'lesion-seg-2d' })
      stageRuns.push({ model, stages: browserRun.stages })
      if (browserRun.keptSessionStages) stageRuns.push({ model: `${model}, again`, stages: browserRun.keptSessionStages })
      const nodeRun = await measureNodeModelRun(model, ctDir, browserRun.wasmThreads)
      rows.push([
        model,
        ms(browserRun.inferenceMs),
        ms(nodeRun.inferenceMs),
        ratio(browserRun.inferenceMs, nodeRun.inferenceMs),
        ms(browserRun.totalMs),
        ms(nodeRun.totalMs),
        ratio(browserRun.totalMs, nodeRun.totalMs),
      ])
    }
    console.log(
      '\nOur 2D models on the JPEG-LS chest CT (275 slices): the browser (ORT-web WASM, Run click to result) against npm run infer (onnxruntime-node, files read and decoded), same files, same run\n',
    )
    table([['model', 'inference: browser', 'CLI', 'ratio', 'end to end: browser', 'CLI', 'ratio'], ...rows])
    console.log("\nThe same browser runs, stage by stage (User Timing marks on the page, the worker's own timings), against the inference passes alone\n")
    const stageNames = [...new Set(stageRuns.flatMap((run) => run.stages.map((row) => row.stage)))]
    const stageMs = (run: (typeof stageRuns)[number], stage: string) => run.stages.find((row) => row.stage === stage)?.ms ?? Number.NaN
    table([
      ['stage', ...stageRuns.map((run) => run.model), 'ratio to inference'],
      ...stageNames.map((stage) => [stage, ...stageRuns.map((run) => ms(stageMs(run, stage))), ratio(stageMs(stageRuns[0]!, stage), stageMs(stageRuns[0]!, 'inference passes'))]),
    ])
    console.log("ratio: the first model's stage over its inference passes (goal: click to labelmap ≤ 1.5×).")
    for (const run of stageRuns.filter((candidate) => candidate.model.startsWith('lesion-seg-2d'))) {
      checkGoal(`${run.model} on the 275-slice CT: click to labelmap / inference passes`, stageMs(run, 'click to labelmap') / stageMs(run, 'inference passes'), '×', { max: 1.5 })
    }

    const cam = await measureClassifierHeatmap(server.baseURL, credentials(radiologist))
    console.log(`\nlesion-cls-2d and its CAM heat map on the demo nodule study (${cam.slices} slices, WASM): Run click, then Explain (CAM) as soon as the result shows\n`)
    table([
      ['stage', 'ms', 'ratio to inference'],
      ...[
        ['session prepared before the click', cam.warmup ? cam.warmup.loadModelMs + cam.warmup.createSessionMs : Number.NaN],
        ['run: model load + session', cam.timings.loadModelMs + cam.timings.createSessionMs],
        ['run: pre-processing', cam.timings.preprocessingMs],
        ['run: inference passes', cam.timings.inferenceMs],
        ['run: post-processing', cam.timings.postprocessingMs],
        ['click to result', cam.clickToResultMs],
        ['result to Explain click (the script)', cam.resultToExplainMs],
        ['CAM in the worker', cam.explainWorkerMs],
        ['Explain click to heat map drawn', cam.explainToHeatmapMs],
        ['click to heat map', cam.clickToHeatmapMs],
      ].map(([stage, value]) => [stage as string, ms(value as number), ratio(value as number, cam.timings.inferenceMs)]),
    ])
    console.log(`goal: the heat map within 3 s of the click: ${ms(cam.clickToHeatmapMs)} (${ratio(cam.clickToHeatmapMs, 3000)} of it).`)
    checkGoal('lesion-cls-2d + CAM on the demo nodule study: click to heat map (WASM)', cam.clickToHeatmapMs, 'ms', { max: 3000 })
  })

  await section('model-checks', async () => {
    const server = await viewerServer()
    const admin = demoAccounts.find((candidate) => candidate.role === 'admin')!
    const checks = await measureModelChecks(server.baseURL, credentials(admin))
    console.log('\nEvery registered model, one forward pass on its check input: ORT-web WASM in Chromium against onnxruntime-node, same input, same run\n')
    table([
      ['model', 'input', 'browser WASM', 'node', 'ratio'],
      ...checks.map((check) => [
        check.id,
        check.description.split(',')[0]!.replace('input ', ''),
        ms(check.browserWasmMs),
        ms(check.nodeMs),
        ratio(check.browserWasmMs, check.nodeMs),
      ]),
    ])
  })
  await section('cohort', async () => {
    const options = { studies: envNumber('BENCH_COHORT_STUDIES', 24), slices: 16, size: 256, model: 'lesion-seg-2d', workerCounts: [1, 2] }
    const [one, two] = await measureCohortThroughput(options)
    console.log(
      `\nCohort mode (npm run infer -- --cohort), ${options.model} on ${options.studies} generated chest CTs of ${options.slices} images ${options.size}×${options.size}, same files, same run\n`,
    )
    table([
      ['workers', 'series', 'wall time', 'series/min', 'against 1 worker'],
      ...[one!, two!].map((run) => [
        String(run.workers),
        String(run.series),
        ms(run.milliseconds),
        run.seriesPerMinute.toFixed(1),
        ratio(run.seriesPerMinute, one!.seriesPerMinute),
      ]),
    ])
    console.log(
      `\nEach run: folder scan, worker start (session, decoder), decode, quality report, model, SEG and summary; onnxruntime's threads shared out between the workers (${os.availableParallelism()} cores).`,
    )
  })

  await section('click-model', async () => {
    const clicks = envNumber('BENCH_CLICKS', 100)
    const result = await measureClickModel(clicks)
    console.log(
      `\nInteractive model (nodule-click-2d): click to mask on a ${result.sliceSize} phantom slice, onnxruntime-node (CPU, the CLI's runtime), ${result.clicks} simulated clicks\n`,
    )
    table([
      ['measure', 'click to mask (refineSlice)', 'bare session.run (same run)', 'ratio'],
      ['p50', ms(result.refine.p50), ms(result.sessionRun.p50), ratio(result.refine.p50, result.sessionRun.p50)],
      ['p95', ms(result.refine.p95), ms(result.sessionRun.p95), ratio(result.refine.p95, result.sessionRun.p95)],
    ])
    console.log('\nclick to mask: the input tensor built from the slice, its clicks and the previous mask, one forward pass in the kept session, the mask resized to the slice.')
  })

  // The audit and findings sections start servers of their own.
  if (sharedServer) (await sharedServer.catch(() => null))?.stop()
  sharedServer = undefined

  await section('audit', async () => {
    const events = envNumber('BENCH_AUDIT_EVENTS', 100_000)
    const auditRuns = envNumber('BENCH_AUDIT_RUNS', runs)
    const pageEvents = envNumber('BENCH_AUDIT_PAGE_EVENTS', 1_000_000)
    const disposeKey = useScratchAuditKey()
    const results: AuditVerifyResult[] = []
    let postgresError: unknown
    try {
      const sqlite = scratchSqlite()
      try {
        results.push(await measureAuditVerify(sqlite.url, { events, runs: auditRuns, pageEvents }))
      } finally {
        sqlite.dispose()
      }
      try {
        const url = await postgresDatabase('the audit bench')
        if (url) results.push(await measureAuditVerify(url, { events, runs: auditRuns, pageEvents }))
      } catch (error) {
        postgresError = error
      }
    } finally {
      disposeKey()
    }
    printAudit(results)
    if (postgresError) throw postgresError
  })

  await section('findings', async () => {
    const options = {
      clients: envNumber('BENCH_FINDINGS_CLIENTS', 20),
      iterations: envNumber('BENCH_FINDINGS_ITERATIONS', 30),
      prefill: envNumber('BENCH_FINDINGS_PREFILL', 500),
    }
    const allowErrors = process.env.BENCH_FINDINGS_ALLOW_ERRORS === '1'
    const problems: string[] = []
    const runOn = async (label: string, databaseUrl: string | undefined) => {
      const server = await startServer({ databaseUrl, label })
      let result: FindingsApiResult
      try {
        result = await measureFindingsLoad(server.baseURL, credentials(radiologist), options)
      } finally {
        server.stop()
      }
      printFindings(label, result)
      for (const goal of findingsGoals(result)) recordGoal({ measure: `findings API, ${label}`, goal: goal.goal, seen: goal.seen, met: goal.met })
      const errors = result.concurrent.errors.length + result.sequential.errors.length + result.healthConcurrent.errors.length + result.healthSequential.errors.length
      if (errors > 0 && !allowErrors) problems.push(`${label}: ${errors} request(s) failed (set BENCH_FINDINGS_ALLOW_ERRORS=1 to report them without failing)`)
    }
    try {
      await runOn('SQLite', undefined)
    } catch (error) {
      problems.push(`SQLite: ${(error as Error).message}`)
      console.error(`\n[bench] findings API on SQLite FAILED: ${(error as Error).stack}`)
    }
    try {
      const url = await postgresDatabase('the findings API bench')
      if (url) await runOn('PostgreSQL', url)
    } catch (error) {
      problems.push(`PostgreSQL: ${(error as Error).message}`)
      if (!(error instanceof PostgresUnavailableError)) console.error(`\n[bench] findings API on PostgreSQL FAILED: ${(error as Error).stack}`)
    }
    if (problems.length > 0) throw new Error(problems.join('; '))
  })

  await section('instances', async () => {
    const url = await postgresDatabase('the several-instances bench')
    if (!url) return
    const options = { clients: envNumber('BENCH_FINDINGS_CLIENTS', 20), iterations: envNumber('BENCH_FINDINGS_ITERATIONS', 30), prefill: envNumber('BENCH_FINDINGS_PREFILL', 500) }
    const result = await measureInstances(url, credentials(radiologist), options)
    printInstances(result)
    const errors = result.one.concurrent.errors.length + result.two.concurrent.errors.length
    if (errors > 0 && process.env.BENCH_FINDINGS_ALLOW_ERRORS !== '1')
      throw new Error(`${errors} request(s) failed (set BENCH_FINDINGS_ALLOW_ERRORS=1 to report them without failing)`)
  })

  await section('annotation', async () => {
    const result = measureAnnotationEdits(envNumber('BENCH_STROKES', 100))
    const { columns, rows, slices } = result.grid
    console.log(`\nLabelmap editing and DICOM SEG on the chest CT's grid (${columns}×${rows}×${slices}, two segments on two layers), same run\n`)
    table([
      ['measure', 'time', 'baseline (same run)', 'baseline', 'ratio'],
      [
        'brush stroke p50 (20 dabs, 5 mm)',
        ms(result.strokeP50Ms),
        'the same dabs, every pixel tested, p95',
        ms(result.plainStrokeP95Ms),
        ratio(result.strokeP50Ms, result.plainStrokeP95Ms),
      ],
      ['brush stroke p95', ms(result.strokeP95Ms), 'the same dabs, every pixel tested, p95', ms(result.plainStrokeP95Ms), ratio(result.strokeP95Ms, result.plainStrokeP95Ms)],
      [
        `SEG export (${result.segFrames} frames, ${(result.segBytes / 1024).toFixed(0)} KiB)`,
        ms(result.exportMs),
        'pack the same frames’ bits',
        ms(result.packOnlyMs),
        ratio(result.exportMs, result.packOnlyMs),
      ],
      ['SEG import', ms(result.importMs), 'dcmjs parse of the same file', ms(result.parseOnlyMs), ratio(result.importMs, result.parseOnlyMs)],
    ])
  })

  await section('agreement', async () => {
    const result = measureAgreement(runs)
    const { columns, rows, slices, spacing } = result.grid
    const figures = result.figures
    console.log(
      `\nAgreement: two overlapping spheroids (${result.voxelsA.toLocaleString('en-US')} and ${result.voxelsB.toLocaleString('en-US')} voxels) on ${columns}×${rows}×${slices} at ${spacing.join(' × ')} mm, in Node, one thread, median of ${result.runs} runs\n`,
    )
    table([
      ['measure', 'value', 'baseline (same run)', 'ratio'],
      ['compareMasks (Dice … HD95, ASSD, volumes)', ms(result.compareMs), `Dice alone ${ms(result.diceOnlyMs)}`, ratio(result.compareMs, result.diceOnlyMs)],
      ['consensus, STAPLE (3 raters)', ms(result.stapleMs), `majority vote ${ms(result.majorityMs)}`, ratio(result.stapleMs, result.majorityMs)],
    ])
    console.log(
      `\nfigures: Dice ${figures.dice.toFixed(4)}, HD95 ${figures.hd95Mm!.toFixed(2)} mm, ASSD ${figures.assdMm!.toFixed(2)} mm; Dice alone: one pass over every voxel of both masks, no surfaces; majority vote: one vote-counting pass over the masks' bounding box (as STAPLE's counting pass).`,
    )
  })
  printGoals()
} finally {
  if (sharedServer) (await sharedServer.catch(() => null))?.stop()
  if (postgres) (await postgres.catch(() => null))?.stop()
  rmSync(modelStore, { recursive: true, force: true })
}

if (failures.length > 0) {
  console.error(`\n[bench] FAILED sections: ${failures.join(', ')}`)
  process.exit(1)
}
