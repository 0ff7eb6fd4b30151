// npm run bench — performance figures measured in one run, each against a baseline
// measured in the same run on the same machine. Needs the production build (built here
// when missing) and the real data in PARALLAX_DATA_DIR (default ../shared/data).
import { spawn, execFileSync, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { demoAccounts } from '../../lib/users/demo-accounts'
import { measureDecodeBaseline } from './decode-baseline'
import { measureViewerLoad } from './viewer-load'
import { measureBrowserModelRun, measureModelChecks, measureNodeModelRun } from './model-run'
import { freePort } from '../../tests/support/free-port'

const root = path.resolve(import.meta.dirname, '../..')
const dataDir = path.resolve(process.env.PARALLAX_DATA_DIR ?? path.join(root, '../shared/data'))
const ctDir = path.join(dataDir, 'ct-chest-lidc0314')
const t1Dir = path.join(dataDir, 'mr-brain-t1')
// The brain model's file is registered from the shared data folder when the server starts.
const modelStore = mkdtempSync(path.join(os.tmpdir(), 'parallax-bench-models-'))
process.env.PARALLAX_MODEL_STORE = modelStore
const runs = Number(process.env.BENCH_RUNS ?? 3)

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!
const ms = (value: number) => `${value.toFixed(0)} ms`
const mib = (value: number) => `${(value / 2 ** 20).toFixed(0)} MiB`


async function startServer(): Promise<{ baseURL: string; stop: () => void }> {
  if (!existsSync(path.join(root, '.next/BUILD_ID'))) {
    console.log('[bench] no production build: building…')
    execFileSync(process.execPath, [path.join(root, 'node_modules/next/dist/bin/next'), 'build', '--webpack'], { cwd: root, stdio: 'inherit' })
  }
  const port = await freePort()
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'parallax-bench-'))
  const server: ChildProcess = spawn(process.execPath, ['--conditions=react-server', '--import', 'tsx', path.join(root, 'scripts/start.ts')], {
    cwd: root,
    env: { ...process.env, PORT: String(port), DATABASE_URL: `file:${scratch}/bench.db`, PARALLAX_SECRETS_FILE: `${scratch}/secrets.json` },
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  const baseURL = `http://localhost:${port}`
  for (let attempt = 0; ; attempt += 1) {
    try {
      if ((await fetch(`${baseURL}/api/health`)).ok) break
    } catch {
      if (attempt > 240) throw new Error('the server did not start')
    }
    await new Promise((resolve) => setTimeout(resolve, 500))
  }
  return { baseURL, stop: () => { server.kill('SIGTERM'); rmSync(scratch, { recursive: true, force: true }) } }
}

function table(rows: string[][]) {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)))
  for (const [index, row] of rows.entries()) {
    console.log(row.map((cell, column) => cell.padEnd(widths[column]!)).join('  '))
    if (index === 0) console.log(widths.map((width) => '-'.repeat(width)).join('  '))
  }
}

if (!existsSync(ctDir)) {
  console.error(`[bench] the chest CT is missing at ${ctDir}: set PARALLAX_DATA_DIR to the shared data folder.`)
  process.exit(1)
}

const decode = await measureDecodeBaseline(ctDir)
const server = await startServer()
try {
  const account = demoAccounts.find((candidate) => candidate.role === 'radiologist')!
  const loads = await measureViewerLoad(server.baseURL, ctDir, { username: account.username, password: account.password }, runs)
  const first = median(loads.map((run) => run.firstImageMs))
  const ready = median(loads.map((run) => run.seriesReadyMs))
  const memory = median(loads.map((run) => run.pageMemoryBytes))
  console.log(`\nViewer: chest CT, ${decode.files} slices (JPEG-LS), dropped from disk, headless Chromium, median of ${runs} runs\n`)
  table([
    ['measure', 'value', 'baseline (same run)', 'ratio'],
    ['time to first image', ms(first), `pure decode ${ms(decode.milliseconds)}`, (first / decode.milliseconds).toFixed(2)],
    ['time until series ready', ms(ready), `pure decode ${ms(decode.milliseconds)}`, (ready / decode.milliseconds).toFixed(2)],
    ['page memory after loading', mib(memory), `raw voxels ${mib(decode.decodedBytes)}`, (memory / decode.decodedBytes).toFixed(2)],
  ])
  console.log('\npure decode: the same files parsed and decoded with the same CharLS codec, one thread, in Node.')
  console.log('page memory: JS heap plus ArrayBuffer backing stores (Runtime.getHeapUsage) after garbage collection; GPU textures not included.')

  const browserRun = await measureBrowserModelRun(server.baseURL, t1Dir, { username: account.username, password: account.password })
  const nodeRun = await measureNodeModelRun('brain-tissue-3class', t1Dir)
  console.log('\nBrain tissue model (brainchop MeshNet, 256³ conformed input) on the T1, 175 slices: browser (ORT-web, WASM) against the CLI runtime (onnxruntime-node, CPU)\n')
  table([
    ['stage', 'browser', 'node (same run)', 'ratio'],
    ['pre-processing', ms(browserRun.preprocessingMs), ms(nodeRun.preprocessingMs), (browserRun.preprocessingMs / nodeRun.preprocessingMs).toFixed(2)],
    ['inference (same input)', ms(browserRun.inferenceMs), ms(nodeRun.inferenceMs), (browserRun.inferenceMs / nodeRun.inferenceMs).toFixed(2)],
    ['post-processing', ms(browserRun.postprocessingMs), ms(nodeRun.postprocessingMs), (browserRun.postprocessingMs / nodeRun.postprocessingMs).toFixed(2)],
    ['end to end', ms(browserRun.totalMs), ms(nodeRun.totalMs), (browserRun.totalMs / nodeRun.totalMs).toFixed(2)],
  ])
  console.log(`\nbrowser end to end: Run click to labelmap shown (decoded pixels handed over, model from Cache Storage or the app, session creation included); WASM with ${os.cpus().length > 1 ? '1 thread (the page is not cross-origin isolated)' : '1 thread'}.`)
  console.log('node end to end: reading the DICOM files, session creation and the same pipeline; onnxruntime-node uses all cores.')

  const admin = demoAccounts.find((candidate) => candidate.role === 'admin')!
  const checks = await measureModelChecks(server.baseURL, { username: admin.username, password: admin.password })
  console.log('\nEvery registered model, one forward pass on its check input: ORT-web WASM in Chromium against onnxruntime-node, same input, same run\n')
  table([
    ['model', 'input', 'browser WASM', 'node', 'ratio'],
    ...checks.map((check) => [check.id, check.description.split(',')[0]!.replace('input ', ''), ms(check.browserWasmMs), ms(check.nodeMs), (check.browserWasmMs / check.nodeMs).toFixed(2)]),
  ])
} finally {
  server.stop()
  rmSync(modelStore, { recursive: true, force: true })
}
