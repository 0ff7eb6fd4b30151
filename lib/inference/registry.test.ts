// The registry on a scratch store: a model is added only when its bytes match the
// manifest's SHA-256 and tensor names; the refusal says why; nothing half-written remains;
// a staged model is listed only once committed, and an abandoned one leaves nothing.
import { describe, it, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { reluManifest, reluModelBytes, reluModelSha256 } from '../../tests/support/model-fixtures'
import { AppError } from '../errors'
import { listStaged, modelStoreDir } from './model-store.server'
import { fetchModelBytes, findModel, listModels, stageModel, type AddModelInput } from './registry.server'

const addModel = (input: AddModelInput) => stageModel(input, 0).commit()

const model = reluModelBytes
const sha256 = reluModelSha256
const manifest = reluManifest

function refusal(action: () => unknown): AppError {
  try {
    action()
  } catch (error) {
    assert.ok(error instanceof AppError, String(error))
    return error
  }
  assert.fail('accepted')
}

describe('model registry', () => {
  let store: string
  before(() => {
    store = mkdtempSync(path.join(tmpdir(), 'parallax-models-'))
    process.env.PARALLAX_MODEL_STORE = store
  })
  after(() => {
    delete process.env.PARALLAX_MODEL_STORE
    rmSync(store, { recursive: true, force: true })
  })

  it('lists the bundled manifests from models/', () => {
    assert.equal(modelStoreDir(), store)
    assert.ok(listModels().some((entry) => entry.manifest.parallax.id === 'brain-tissue-3class' && entry.source === 'bundled'))
  })

  it('refuses a file whose SHA-256 does not match, and writes nothing', () => {
    const error = refusal(() => addModel({ manifest: manifest({ sha256: 'f'.repeat(64) }), bytes: model }))
    assert.equal(error.code, 'bad_request:models')
    assert.match(error.message, new RegExp(`SHA-256 is ${sha256}, but the manifest says f{64}: refused`))
    assert.deepEqual(readdirSync(store), [])
  })

  it('does not describe downloaded bytes whose SHA-256 differs', () => {
    const error = refusal(() => addModel({ manifest: manifest({ sha256: 'f'.repeat(64) }), bytes: model, fetched: true }))
    assert.match(error.message, /SHA-256 is not the one the manifest says \(f{64}\): refused/)
    assert.ok(!error.message.includes(sha256))
    assert.deepEqual(readdirSync(store), [])
  })

  it('downloads from a loopback server only when PARALLAX_MODEL_URL_ALLOW names it', async () => {
    const server = createServer((_request, response) => response.end(Buffer.from(model)))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/relu.onnx`
    try {
      delete process.env.PARALLAX_MODEL_URL_ALLOW
      await assert.rejects(fetchModelBytes(url), (error: unknown) => error instanceof AppError && error.code === 'bad_request:models' && /non-public address/.test(error.message))
      process.env.PARALLAX_MODEL_URL_ALLOW = '127.0.0.1'
      assert.deepEqual(await fetchModelBytes(url), model)
    } finally {
      delete process.env.PARALLAX_MODEL_URL_ALLOW
      server.close()
    }
  })

  it('refuses a manifest naming tensors the model lacks', () => {
    const error = refusal(() => addModel({ manifest: manifest({ output: 'probabilities' }), bytes: model }))
    assert.match(error.message, /output "probabilities" \(the model has "logits"\)/)
  })

  it('refuses an invalid manifest with the bad fields named', () => {
    const bad = manifest()
    ;(bad.parallax as Record<string, unknown>).modalities = []
    const error = refusal(() => addModel({ manifest: bad, bytes: model }))
    assert.match(error.message, /^Invalid model manifest: parallax\.modalities: /)
  })

  it('refuses bytes that are not ONNX even when the hash matches', () => {
    const junk = new TextEncoder().encode('\u0008\u0001\u00ff')
    const error = refusal(() => addModel({ manifest: manifest({ sha256: createHash('sha256').update(junk).digest('hex') }), bytes: junk }))
    assert.match(error.message, /not a readable ONNX model/)
  })

  it('adds a matching model, lists it with its file, and refuses it twice', () => {
    const added = addModel({ manifest: manifest(), bytes: model })
    assert.equal(added.source, 'added')
    assert.ok(added.filePath && existsSync(added.filePath))
    assert.equal(findModel('relu-test')?.manifest.parallax.file.sha256, sha256)
    assert.equal(refusal(() => addModel({ manifest: manifest(), bytes: model })).code, 'conflict:models')
  })

  it('stages a model where nothing lists it: commit puts it in place, abandon leaves nothing', () => {
    const staged = stageModel({ manifest: manifest({ id: 'relu-staged' }), bytes: model }, 41)
    assert.equal(findModel('relu-staged'), undefined, 'not listed while staged')
    const [pending] = listStaged()
    assert.ok(pending && readdirSync(store).some((name) => name.startsWith('.pending-relu-staged-')))
    assert.deepEqual(pending.record, { id: 'relu-staged', sha256, afterSeq: 41, files: ['model.onnx', 'manifest.json'] })
    assert.deepEqual(readFileSync(path.join(pending.dir, 'model.onnx')), Buffer.from(model))
    const committed = staged.commit()
    assert.equal(committed.filePath, path.join(store, 'relu-staged', 'model.onnx'))
    assert.equal(findModel('relu-staged')?.source, 'added')
    assert.deepEqual(listStaged(), [])

    const abandoned = stageModel({ manifest: manifest({ id: 'relu-abandoned' }), bytes: model }, 42)
    abandoned.abandon()
    assert.equal(findModel('relu-abandoned'), undefined)
    assert.deepEqual(listStaged(), [])
    assert.ok(!readdirSync(store).some((name) => name.includes('relu-abandoned')))
  })

  it('will not let an added model take a bundled id with another manifest', () => {
    assert.equal(refusal(() => addModel({ manifest: manifest({ id: 'brain-tissue-3class' }), bytes: model })).code, 'conflict:models')
  })
})
