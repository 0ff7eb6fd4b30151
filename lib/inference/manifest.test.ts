import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { ManifestError, parseManifest } from './manifest'

const brain = JSON.parse(readFileSync(new URL('../../models/brain-tissue-3class/manifest.json', import.meta.url), 'utf8')) as Record<string, unknown>

function issuesOf(value: unknown) {
  try {
    parseManifest(value)
  } catch (error) {
    assert.ok(error instanceof ManifestError)
    return error.issues
  }
  assert.fail('the manifest was accepted')
}

function withParallax(change: (parallax: Record<string, unknown>) => void) {
  const copy = structuredClone(brain)
  change(copy.parallax as Record<string, unknown>)
  return copy
}

describe('model manifest', () => {
  it('accepts the brain model manifest and fills defaults', () => {
    const manifest = parseManifest(brain)
    assert.equal(manifest.parallax.id, 'brain-tissue-3class')
    assert.equal(manifest.parallax.tiling, undefined)
    assert.equal(manifest.parallax.postprocessing.minComponentVoxels, 0)
    assert.deepEqual(manifest.references.length, 1)
  })

  it('takes optional requirements, refusing a reversed range, an unknown plane or field', () => {
    const manifest = parseManifest(withParallax((p) => (p.requirements = { modalities: ['MR'], sliceThicknessMm: { min: 0.5, max: 2 }, orientation: 'sagittal' })))
    assert.deepEqual(manifest.parallax.requirements, { modalities: ['MR'], sliceThicknessMm: { min: 0.5, max: 2 }, orientation: 'sagittal' })
    const fields = issuesOf(withParallax((p) => (p.requirements = { sliceThicknessMm: { min: 3, max: 2 }, orientation: 'oblique', scanner: 'X' }))).map((issue) => issue.field)
    assert.deepEqual(fields.sort(), ['parallax.requirements', 'parallax.requirements.orientation', 'parallax.requirements.sliceThicknessMm'])
  })

  it('lists every missing MONAI field at once', () => {
    const { version: _v, task: _t, network_data_format: _n, ...rest } = brain
    const fields = issuesOf(rest).map((issue) => issue.field)
    assert.deepEqual(fields.sort(), ['network_data_format', 'task', 'version'])
  })

  it('names wrong fields with their paths and reasons', () => {
    const bad = withParallax((p) => {
      ;(p.file as Record<string, unknown>).sha256 = 'ABC'
      p.modalities = ['mr']
      p.kind = 'detection'
      ;(p.preprocessing as Record<string, unknown>).orientation = 'LLA'
    })
    const issues = issuesOf(bad)
    const byField = new Map(issues.map((issue) => [issue.field, issue.message]))
    assert.match(byField.get('parallax.file.sha256') ?? '', /64 lowercase hex/)
    assert.match(byField.get('parallax.modalities.0') ?? '', /modality code/)
    assert.ok(byField.has('parallax.kind'))
    assert.match(byField.get('parallax.preprocessing.orientation') ?? '', /one each of L\/R/)
    const error = (() => {
      try {
        parseManifest(bad)
      } catch (e) {
        return e as Error
      }
    })()
    assert.match(error!.message, /^Invalid model manifest: .*parallax\.file\.sha256: must be 64 lowercase hex/)
  })

  it('checks cross-field rules: tensor names, conform parameters, unique labels', () => {
    const issues = issuesOf(
      withParallax((p) => {
        p.output = 'logits'
        ;(p.preprocessing as Record<string, unknown>).shape = undefined
        p.labels = [
          { value: 1, name: 'a', color: [1, 2, 3] },
          { value: 1, name: 'b', color: [1, 2, 3] },
        ]
      }),
    )
    const messages = issues.map((issue) => `${issue.field}: ${issue.message}`)
    assert.ok(messages.includes('parallax.preprocessing: a conform grid needs shape, spacing and orientation'), messages.join('\n'))
    assert.ok(messages.includes('parallax.labels: label values must be unique'), messages.join('\n'))
  })

  it('reports a tensor name missing from network_data_format', () => {
    const issues = issuesOf(
      withParallax((p) => {
        p.output = 'logits'
      }),
    )
    assert.deepEqual(issues, [{ field: 'parallax.output', message: '"logits" is not one of network_data_format.outputs' }])
  })

  it('needs a model file name or URL', () => {
    const issues = issuesOf(
      withParallax((p) => {
        p.file = { sha256: '0'.repeat(64) }
      }),
    )
    assert.deepEqual(
      issues.map((issue) => issue.field),
      ['parallax.file'],
    )
  })

  it('refuses what is not an object', () => {
    assert.throws(() => parseManifest('manifest'), ManifestError)
    assert.throws(() => parseManifest(null), ManifestError)
  })
})
