// The cohort mode of `npm run infer` on a generated cohort of 40 phantom chest CTs (64×64×8,
// with exact nodule masks as ground truth) and one MR series the model must skip:
// - every study's Dice in the summary equals Dice computed here, from the phantom's own HU
//   through the pure pipeline against its mask; every SEG written passes dciodvfy;
// - a run killed part-way and started again skips what was done and ends with the same summary;
// - two shards together give exactly the unsharded run, no series in both.
import { describe, it, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { execFile, spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import dcmjs from 'dcmjs'
import { openNodeModel } from '../../lib/inference/node-runner.server'
import { runModelOnSeries } from '../../lib/inference/run-model'
import { parseCsv } from '../../lib/quality/csv'
import { generateChestPhantom, type ChestPhantom } from '../../lib/synthetic/chest-phantom'
import { encodeNpy } from '../../lib/synthetic/npy'
import { studyIdentity } from '../../lib/synthetic/studies'
import { writeCtSeries } from '../../lib/synthetic/write-ct-series'
import { dciodvfyFile, missingDciodvfy } from '../support/dciodvfy'

const STUDIES = 40
const MODEL = 'lesion-seg-2d'
const SIZE = { columns: 64, rows: 64, slices: 8 }

type RawElement = { vr: string; Value?: unknown[] }
const reader = (dcmjs as unknown as { data: { DicomMessage: { readFile(buffer: ArrayBuffer): { dict: Record<string, RawElement>; write(): ArrayBuffer } } } }).data

function phantomOf(index: number): ChestPhantom {
  // Nodules of 20–40 mm: a few pixels across at 5 mm, so the model finds most of them.
  return generateChestPhantom({ seed: 9000 + index, noduleCount: index % 3, ...SIZE, pixelSpacing: 5, sliceSpacing: 5, diameterRange: [20, 40] })
}

function cli(args: string[]) {
  return promisify(execFile)(process.execPath, ['--conditions=react-server', '--import', 'tsx', 'scripts/models/infer.ts', '--model', MODEL, ...args], { timeout: 300_000 })
}

/** The summary's rows by series, without the timing column. */
function summaryOf(out: string): Map<string, Record<string, string>> {
  return new Map(
    parseCsv(readFileSync(path.join(out, 'summary.csv'), 'utf8')).map(({ ms, ...row }) => {
      assert.ok(Number(ms) >= 0)
      return [row.seriesInstanceUid!, row]
    }),
  )
}

function dice(predicted: Uint8Array, truth: Uint8Array): number {
  let both = 0
  let sum = 0
  for (let v = 0; v < truth.length; v++) {
    sum += (predicted[v] ? 1 : 0) + (truth[v] ? 1 : 0)
    if (predicted[v] && truth[v]) both++
  }
  return sum === 0 ? 1 : (2 * both) / sum
}

describe('npm run infer --cohort', () => {
  let work: string
  let cohort: string
  let truth: string
  let reference: string
  let mrSeries: string

  before(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'parallax-cohort-'))
    cohort = path.join(work, 'cohort')
    truth = path.join(work, 'truth')
    mkdirSync(truth)
    for (let index = 0; index < STUDIES; index++) {
      const phantom = phantomOf(index)
      const identity = studyIdentity(9000 + index, `Cohort${index}`)
      // Nested folders, as an archive's are.
      const dir = path.join(cohort, `site${index % 3}`, `study${index}`)
      mkdirSync(dir, { recursive: true })
      writeCtSeries(phantom, identity).forEach((bytes, k) => writeFileSync(path.join(dir, `im${k}.dcm`), bytes))
      writeFileSync(path.join(truth, `${identity.seriesInstanceUid}.npy`), encodeNpy(phantom.noduleMask, [SIZE.slices, SIZE.rows, SIZE.columns]))
    }
    // An MR series: the CT model must skip it, saying why.
    const mr = studyIdentity(8999, 'NotCt')
    mrSeries = mr.seriesInstanceUid
    mkdirSync(path.join(cohort, 'mr'))
    writeCtSeries(phantomOf(99), mr).forEach((bytes, k) => {
      const file = reader.DicomMessage.readFile(bytes.slice().buffer)
      file.dict['00080060'] = { vr: 'CS', Value: ['MR'] }
      writeFileSync(path.join(cohort, 'mr', `im${k}.dcm`), new Uint8Array(file.write()))
    })
    reference = path.join(work, 'reference')
    await cli(['--cohort', cohort, '--out', reference, '--truth', truth, '--workers', '2'])
  })
  after(() => rmSync(work, { recursive: true, force: true }))

  it("gives each study the Dice computed directly from the phantom's HU and mask", async () => {
    const summary = summaryOf(reference)
    assert.equal(summary.size, STUDIES + 1)
    const skipped = summary.get(mrSeries)!
    assert.equal(skipped.status, 'skipped')
    assert.match(skipped.reason ?? '', /needs CT images; this series is MR/)

    const model = await openNodeModel(MODEL)
    let positive = 0
    try {
      for (let index = 0; index < STUDIES; index++) {
        const phantom = phantomOf(index)
        const row = summary.get(studyIdentity(9000 + index, '').seriesInstanceUid)!
        assert.equal(row.status, 'done', row.reason)
        const sliceSize = SIZE.columns * SIZE.rows
        const result = await runModelOnSeries(
          model.manifest,
          {
            geometry: { ...SIZE, rowSpacing: 5, columnSpacing: 5, rowDirection: [1, 0, 0], columnDirection: [0, 1, 0] },
            positions: Array.from({ length: SIZE.slices }, (_, k) => [phantom.origin[0], phantom.origin[1], phantom.origin[2] + k * 5]),
            pixels: Array.from({ length: SIZE.slices }, (_, k) => Float32Array.from(phantom.hu.subarray(k * sliceSize, (k + 1) * sliceSize))),
          },
          model.session,
        )
        assert.equal(result.output.kind, 'segmentation')
        const labels = result.output.kind === 'segmentation' ? result.output.labels : new Uint8Array()
        assert.equal(Number(row['Nodule dice']), dice(labels, phantom.noduleMask), `study ${index}`)
        assert.equal(
          Number(row['Nodule voxels']),
          labels.reduce((sum, label) => sum + label, 0),
        )
        if (phantom.nodules.length && Number(row['Nodule dice']) > 0.3) positive++
      }
    } finally {
      await model.release()
    }
    // Dice that is 1 everywhere (nothing found, nothing there) would not test the comparison.
    assert.ok(positive >= 10, `only ${positive} studies with nodules found them`)
  })

  it('writes a SEG for every study with a finding, each passing dciodvfy', { skip: missingDciodvfy() }, () => {
    const segs = [...summaryOf(reference).values()].filter((row) => row.seg)
    assert.ok(segs.length >= 10)
    for (const row of segs) assert.deepEqual(dciodvfyFile(path.join(reference, row.seg!)).errors, [], row.seg)
  })

  it('resumes a run killed part-way: what was done is not run again, and the summary is the same', async () => {
    const out = path.join(work, 'interrupted')
    const records = () => readdirSync(out, { recursive: true, encoding: 'utf8' }).filter((name) => name.endsWith('.json'))
    const child = spawn(
      process.execPath,
      ['--conditions=react-server', '--import', 'tsx', 'scripts/models/infer.ts', '--model', MODEL, '--cohort', cohort, '--out', out, '--truth', truth],
      { stdio: 'ignore' },
    )
    const exited = new Promise((resolve) => child.on('exit', resolve))
    const deadline = Date.now() + 120_000
    while (Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100))
      try {
        if (records().length >= 5) break
      } catch {
        // The output folder is not there yet.
      }
    }
    child.kill('SIGKILL')
    await exited
    const before = new Map(records().map((name) => [name, statSync(path.join(out, name)).mtimeMs]))
    assert.ok(before.size >= 5 && before.size < STUDIES + 1, `${before.size} series were done when the run was stopped`)

    const { stdout } = await cli(['--cohort', cohort, '--out', out, '--truth', truth])
    assert.match(stdout, new RegExp(`${before.size} resumed`))
    for (const [name, mtime] of before) assert.equal(statSync(path.join(out, name)).mtimeMs, mtime, `${name} was run again`)
    assert.deepEqual(summaryOf(out), summaryOf(reference))
  })

  it("skips a series outside the model's slice thickness range with the reason, and runs it with --force", async () => {
    const folder = path.join(work, 'thick')
    const out = path.join(work, 'thick-out')
    mkdirSync(folder)
    const phantom = generateChestPhantom({ seed: 7, noduleCount: 1, ...SIZE, pixelSpacing: 5, sliceSpacing: 8, diameterRange: [20, 40] })
    writeCtSeries(phantom, studyIdentity(7, 'Thick')).forEach((bytes, k) => writeFileSync(path.join(folder, `im${k}.dcm`), bytes))
    await cli(['--cohort', folder, '--out', out])
    const [skipped] = [...summaryOf(out).values()]
    assert.equal(skipped!.status, 'skipped')
    assert.match(skipped!.reason ?? '', /needs slices of 0\.5–5 mm; all 8 images are 8 mm thick/)
    await cli(['--cohort', folder, '--out', out, '--force'])
    assert.equal([...summaryOf(out).values()][0]!.status, 'done')
  })

  it('splits into shards whose union is the unsharded run', async () => {
    const shards = [0, 1].map((index) => path.join(work, `shard${index}`))
    await Promise.all(shards.map((out, index) => cli(['--cohort', cohort, '--out', out, '--truth', truth, '--shard', `${index}/2`])))
    const [first, second] = shards.map(summaryOf) as [Map<string, Record<string, string>>, Map<string, Record<string, string>>]
    assert.ok(first.size > 0 && second.size > 0, `shard sizes ${first.size} and ${second.size}`)
    for (const uid of first.keys()) assert.ok(!second.has(uid), `${uid} is in both shards`)
    assert.deepEqual(new Map([...first, ...second].sort(([a], [b]) => (a < b ? -1 : 1))), new Map([...summaryOf(reference)].sort(([a], [b]) => (a < b ? -1 : 1))))
  })
})
