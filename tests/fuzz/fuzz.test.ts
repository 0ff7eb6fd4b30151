// The fuzzer's fixed-seed subset (500 mutants) and its worst cases, in the unit suite:
// no crash, no hang, bounded memory; every worst case ends as the fixture says. The full
// campaign (10,000 mutants) is `npm run fuzz`.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { decodedImageProblem } from '../../lib/dicom/decoded-image'
import { ingestFiles } from '../../lib/dicom/ingest'
import { normaliseForDecoder } from '../../lib/dicom/normalise-for-decoder'
import { DEFAULT_MAX_INFLATED_BYTES } from '../../lib/dicom/parse-instance'
import { fuzzFixtures } from '../support/fuzz-fixtures'
import { missingSharedData } from '../support/shared-data'
import { runCampaign, summary } from './campaign'
import { decodeLikeViewer, prepareWasmDirectory } from './decode-node'
import { loadSeeds } from './seeds'

const skip = missingSharedData('transfer-syntaxes') ?? false

describe('fuzzing ingestion and decoding', { skip }, () => {
  let wasmDir: string
  before(() => {
    wasmDir = prepareWasmDirectory(mkdtempSync(path.join(os.tmpdir(), 'parallax-fuzz-test-')))
  })
  after(() => rmSync(wasmDir, { recursive: true, force: true }))

  it('ends every worst case as its fixture says', async () => {
    const fixtures = fuzzFixtures()
    assert.ok(fixtures.length >= 15, `only ${fixtures.length} fixtures`)
    for (const fixture of fixtures) {
      const { result } = ingestFiles([{ name: fixture.name, bytes: fixture.bytes }])
      // SEG objects open apart from the series (ingest.ts): they count as opened here too.
      const instances = [...result.patients.flatMap((patient) => patient.studies.flatMap((study) => study.series.flatMap((series) => series.instances))), ...result.segmentations]
      if (fixture.expect === 'rejected') {
        assert.equal(instances.length, 0, `${fixture.name} should be rejected`)
        assert.match(result.rejected[0]?.reason ?? '', fixture.reason!, fixture.name)
        continue
      }
      const [instance] = instances
      assert.ok(instance, `${fixture.name} should open: ${result.rejected[0]?.reason}`)
      assert.deepEqual(
        instance.warnings.map((warning) => warning.kind),
        fixture.warning ? [fixture.warning] : [],
        fixture.name,
      )
      const bytes = normaliseForDecoder(fixture.bytes, instance, DEFAULT_MAX_INFLATED_BYTES) ?? fixture.bytes
      const frames = await decodeLikeViewer(bytes, instance, [0, instance.numberOfFrames - 1], wasmDir)
      assert.ok(!frames.some((frame) => frame.kind === 'uncaught'), `${fixture.name}: ${JSON.stringify(frames)}`)
      if (fixture.expect === 'undecodable') {
        assert.ok(
          frames.every((frame) => frame.kind === 'rejected'),
          `${fixture.name} should not decode: ${JSON.stringify(frames)}`,
        )
        continue
      }
      for (const frame of frames) {
        assert.equal(frame.kind, 'decoded', `${fixture.name}: ${JSON.stringify(frame)}`)
        if (frame.kind === 'decoded') assert.equal(decodedImageProblem(instance, frame), null, fixture.name)
      }
    }
  })

  it('runs 500 mutants (seed 13) with no crash, no hang and bounded memory', { timeout: 600_000 }, async () => {
    const report = await runCampaign({ seed: 13, mutants: 500, seeds: loadSeeds(), workers: 2 })
    console.log(summary(report))
    assert.deepEqual(
      [...report.crashes, ...report.hangs].map((failure) => `${failure.kind} #${failure.index}: ${failure.message} ${JSON.stringify(failure.recipe)}`),
      [],
    )
    // The campaign must reach the decoder, or it proves nothing about decoding.
    assert.ok(report.accepted > 100 && report.framesDecoded > 100, summary(report))
    assert.ok(report.maxGrowthBytes < 1024 * 1024 * 1024, summary(report))
  })
})
