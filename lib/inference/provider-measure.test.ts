import assert from 'node:assert/strict'
import { test } from 'node:test'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import type { ExecutionProvider } from './inference-protocol'
import { parseManifest } from './manifest'
import { choiceKey, describeMeasurement, fasterProvider, providerMeasurementSchema } from './provider-choice'
import { measureProviders, type MeasureSessions } from './provider-measure'
import type { ModelSession } from './run-model'

// "Auto" by measurement: which providers are timed, how the faster one is picked, and what
// is kept. Sessions are fakes whose passes take a given time on a fake clock.

const manifest = parseManifest(JSON.parse(readFileSync(path.join(import.meta.dirname, '../../models/lesion-cls-2d/manifest.json'), 'utf8')))

function fakeSessions(passMs: Partial<Record<ExecutionProvider, number | Error>>) {
  let clock = 0
  const opened: ExecutionProvider[] = []
  const runs: ExecutionProvider[] = []
  let closed = 0
  const sessions: MeasureSessions = {
    async open(provider) {
      opened.push(provider)
      const session: ModelSession = {
        async run(input) {
          runs.push(provider)
          const cost = passMs[provider]
          if (cost instanceof Error) throw cost
          clock += cost ?? 0
          return { [manifest.parallax.output]: { data: new Float32Array(1), dims: input.dims } }
        },
      }
      return { session, done: async () => void closed++ }
    },
    checkpoint: async () => {},
    isCancel: (error) => error instanceof Error && error.message === 'Cancelled',
  }
  return { sessions, now: () => clock, opened, runs, closed: () => closed }
}

const hardware = { vendor: 'nvidia', architecture: 'hopper' }
const bytes = new Uint8Array([1, 2, 3])

test('with a hardware adapter, both providers are timed on a warm pass and the faster is chosen', async () => {
  const fake = fakeSessions({ wasm: 30, webgpu: 12 })
  const measured = await measureProviders(manifest, bytes, hardware, fake.sessions, fake.now)
  assert.deepEqual(measured.warmPassMs, { wasm: 30, webgpu: 12 })
  assert.equal(measured.chosen, 'webgpu')
  assert.equal(measured.webgpuNote, null)
  // A first, untimed pass on each provider, then the timed one.
  assert.deepEqual(fake.runs, ['wasm', 'wasm', 'webgpu', 'webgpu'])
  assert.equal(fake.closed(), 2)
  assert.ok(providerMeasurementSchema.safeParse(measured).success)
})

test('a slower GPU loses to WASM', async () => {
  const fake = fakeSessions({ wasm: 8, webgpu: 40 })
  assert.equal((await measureProviders(manifest, bytes, hardware, fake.sessions, fake.now)).chosen, 'wasm')
})

test('a software adapter (SwiftShader) or none is not timed: WASM alone, with the reason', async () => {
  for (const adapter of [{ vendor: 'google', architecture: 'swiftshader' }, null]) {
    const fake = fakeSessions({ wasm: 25, webgpu: 1 })
    const measured = await measureProviders(manifest, bytes, adapter, fake.sessions, fake.now)
    assert.deepEqual(fake.opened, ['wasm'])
    assert.deepEqual(measured.warmPassMs, { wasm: 25, webgpu: null })
    assert.equal(measured.chosen, 'wasm')
    assert.match(measured.webgpuNote!, adapter ? /software renderer \(swiftshader\)/ : /no WebGPU adapter/)
    assert.match(describeMeasurement(measured), /^WASM chosen by measurement.*WASM 25 ms.*WebGPU not timed/)
  }
})

test('WebGPU failing on the warm pass leaves WASM chosen and says why; a cancel is not taken for a failure', async () => {
  const failing = fakeSessions({ wasm: 20, webgpu: new Error('no kernel for Conv') })
  const measured = await measureProviders(manifest, bytes, hardware, failing.sessions, failing.now)
  assert.equal(measured.chosen, 'wasm')
  assert.match(measured.webgpuNote!, /WebGPU failed: no kernel for Conv/)
  const cancelled = fakeSessions({ wasm: 20, webgpu: new Error('Cancelled') })
  await assert.rejects(measureProviders(manifest, bytes, hardware, cancelled.sessions, cancelled.now), /Cancelled/)
})

test('the choice is WebGPU only when strictly faster, and is kept per model version, browser and adapter', () => {
  assert.equal(fasterProvider({ wasm: 10, webgpu: 10 }), 'wasm')
  assert.equal(fasterProvider({ wasm: 10, webgpu: null }), 'wasm')
  assert.equal(fasterProvider({ wasm: 10, webgpu: 9.9 }), 'webgpu')
  const scope = { modelId: 'm', version: '1.0.0', sha256: 'a'.repeat(64), browser: 'Chrome/156', adapter: 'none' }
  const keys = new Set([
    choiceKey(scope),
    choiceKey({ ...scope, version: '1.0.1' }),
    choiceKey({ ...scope, sha256: 'b'.repeat(64) }),
    choiceKey({ ...scope, browser: 'Chrome/157' }),
    choiceKey({ ...scope, adapter: 'nvidia/hopper/-' }),
  ])
  assert.equal(keys.size, 5)
})
