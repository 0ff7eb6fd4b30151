// `npm run infer --cohort-pacs` against a real Orthanc holding generated phantom chest CTs
// (with exact nodule masks) and one MR series: QIDO-RS finds them, WADO-RS retrieves them,
// and the summary is the folder cohort's on the very same files, row for row (timings
// aside); a QIDO-RS query narrows the cohort; a second run resumes everything; shards
// split it; an address that is not a DICOMweb root fails with the reason. Skipped with a
// notice when Orthanc is missing; under CI=true that fails instead.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import dcmjs from 'dcmjs'
import { parseCsv } from '../../lib/quality/csv'
import { generateChestPhantom } from '../../lib/synthetic/chest-phantom'
import { encodeNpy } from '../../lib/synthetic/npy'
import { studyIdentity } from '../../lib/synthetic/studies'
import { writeCtSeries } from '../../lib/synthetic/write-ct-series'
import { missingOrthanc, startOrthanc, type OrthancServer } from '../support/orthanc'

const STUDIES = 6
const MODEL = 'lesion-seg-2d'
const SIZE = { columns: 64, rows: 64, slices: 8 }

type RawElement = { vr: string; Value?: unknown[] }
const reader = (dcmjs as unknown as { data: { DicomMessage: { readFile(buffer: ArrayBuffer): { dict: Record<string, RawElement>; write(): ArrayBuffer } } } }).data

const skip = missingOrthanc()

function cli(args: string[], env: Record<string, string> = {}) {
  return promisify(execFile)(process.execPath, ['--conditions=react-server', '--import', 'tsx', 'scripts/models/infer.ts', '--model', MODEL, ...args], {
    timeout: 300_000,
    env: { ...process.env, ...env },
  })
}

function summaryOf(out: string): Map<string, Record<string, string>> {
  return new Map(parseCsv(readFileSync(path.join(out, 'summary.csv'), 'utf8')).map(({ ms: _ms, ...row }) => [row.seriesInstanceUid!, row]))
}

const sorted = (map: Map<string, Record<string, string>>) => new Map([...map].sort(([a], [b]) => (a < b ? -1 : 1)))

if (skip) it('npm run infer --cohort-pacs against a real Orthanc', { skip }, () => {})
else
  describe('npm run infer --cohort-pacs against a real Orthanc', () => {
    let orthanc: OrthancServer
    let work: string
    let cohort: string
    let truth: string
    let reference: string
    let mrSeries: string

    before(
      async () => {
        work = mkdtempSync(path.join(tmpdir(), 'parallax-pacs-cohort-test-'))
        cohort = path.join(work, 'cohort')
        truth = path.join(work, 'truth')
        mkdirSync(truth)
        for (let index = 0; index < STUDIES; index++) {
          const phantom = generateChestPhantom({ seed: 9100 + index, noduleCount: 1 + (index % 2), ...SIZE, pixelSpacing: 5, sliceSpacing: 5, diameterRange: [20, 40] })
          const identity = studyIdentity(9100 + index, `Pacs${index}`)
          const dir = path.join(cohort, `study${index}`)
          mkdirSync(dir, { recursive: true })
          writeCtSeries(phantom, identity).forEach((bytes, k) => writeFileSync(path.join(dir, `im${k}.dcm`), bytes))
          writeFileSync(path.join(truth, `${identity.seriesInstanceUid}.npy`), encodeNpy(phantom.noduleMask, [SIZE.slices, SIZE.rows, SIZE.columns]))
        }
        const mr = studyIdentity(9099, 'PacsMr')
        mrSeries = mr.seriesInstanceUid
        mkdirSync(path.join(cohort, 'mr'))
        writeCtSeries(generateChestPhantom({ seed: 9099, noduleCount: 0, ...SIZE, pixelSpacing: 5, sliceSpacing: 5 }), mr).forEach((bytes, k) => {
          const file = reader.DicomMessage.readFile(bytes.slice().buffer)
          file.dict['00080060'] = { vr: 'CS', Value: ['MR'] }
          writeFileSync(path.join(cohort, 'mr', `im${k}.dcm`), new Uint8Array(file.write()))
        })
        // Behind HTTP Basic, as a hospital's PACS asks for a credential.
        orthanc = await startOrthanc({ user: { name: 'cohort', password: 'cohort-secret' } })
        const files = [...Array(STUDIES).keys()].flatMap((index) => [...Array(SIZE.slices).keys()].map((k) => path.join(cohort, `study${index}`, `im${k}.dcm`)))
        await orthanc.upload([...files, ...[...Array(SIZE.slices).keys()].map((k) => path.join(cohort, 'mr', `im${k}.dcm`))])
        reference = path.join(work, 'reference')
        await cli(['--cohort', cohort, '--out', reference, '--truth', truth])
      },
      { timeout: 300_000 },
    )

    after(async () => {
      await orthanc?.stop()
      if (work) rmSync(work, { recursive: true, force: true })
    })

    const pacs = (args: string[]) => cli(['--cohort-pacs', orthanc.dicomWebRoot, ...args], { PARALLAX_PACS_AUTHORIZATION: orthanc.authorization! })

    it("gives the folder cohort's summary on the same files, and resumes all of it on a second run", async () => {
      const out = path.join(work, 'pacs')
      const { stdout } = await pacs(['--out', out, '--truth', truth, '--workers', '2'])
      assert.match(stdout, new RegExp(`^${STUDIES} series run, 0 resumed, 1 skipped, 0 failed`))
      const summary = summaryOf(reference)
      assert.equal(summary.size, STUDIES + 1)
      assert.equal(summary.get(mrSeries)!.status, 'skipped')
      // Dice that is the same because it is empty everywhere would not show the pixels arrived intact.
      assert.ok([...summary.values()].filter((row) => Number(row['Nodule voxels']) > 0).length >= 3)
      assert.deepEqual(sorted(summaryOf(out)), sorted(summary))
      for (const row of summary.values()) if (row.seg) assert.deepEqual(readFileSync(path.join(out, row.seg)).subarray(128, 132).toString(), 'DICM')

      const again = await pacs(['--out', out, '--truth', truth])
      // The skipped MR series too: it is retried only with --force.
      assert.match(again.stdout, new RegExp(`^0 series run, ${STUDIES + 1} resumed, 0 skipped, 0 failed`))
      assert.deepEqual(sorted(summaryOf(out)), sorted(summary))
    })

    it('runs only the studies a QIDO-RS query finds', async () => {
      const out = path.join(work, 'mr-only')
      await pacs(['--query', 'ModalitiesInStudy=MR', '--out', out])
      assert.deepEqual([...summaryOf(out).keys()], [mrSeries])
    })

    it('splits into shards whose union is the whole cohort', async () => {
      const shards = [0, 1].map((index) => path.join(work, `shard${index}`))
      for (const [index, out] of shards.entries()) await pacs(['--out', out, '--truth', truth, '--shard', `${index}/2`])
      const [first, second] = shards.map(summaryOf) as [Map<string, Record<string, string>>, Map<string, Record<string, string>>]
      for (const uid of first.keys()) assert.ok(!second.has(uid), `${uid} is in both shards`)
      assert.deepEqual(sorted(new Map([...first, ...second])), sorted(summaryOf(reference)))
    })

    it('fails with the reason without the credential, or at an address that is no DICOMweb root', async () => {
      const out = path.join(work, 'refused')
      await assert.rejects(cli(['--cohort-pacs', orthanc.dicomWebRoot, '--out', out], { PARALLAX_PACS_AUTHORIZATION: '' }), /HTTP 401/)
      await assert.rejects(cli(['--cohort-pacs', `${orthanc.url}/nothing`, '--out', out], { PARALLAX_PACS_AUTHORIZATION: orthanc.authorization! }), /HTTP 404/)
    })
  })
