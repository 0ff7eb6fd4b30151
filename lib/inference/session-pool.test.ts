import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { sameSession, SessionPool, withWasmFallback, type SessionKey } from './session-pool'

// Sessions kept per model version and provider, reused until released; and the one
// WebGPU → WASM fallback, taken only when the failure gives a reason to.

class FakeSession {
  released = 0
  constructor(
    readonly name: string,
    private readonly failRelease = false,
  ) {}
  async release() {
    this.released++
    if (this.failRelease) throw new Error(`${this.name} would not go`)
  }
}

const key = (modelId: string, sha256: string, provider: SessionKey['provider']): SessionKey => ({ modelId, sha256, provider })

describe('session pool', () => {
  it('creates a session once per model version and provider, then reuses it', async () => {
    const pool = new SessionPool<FakeSession>()
    let created = 0
    const create = (name: string) => async () => {
      created++
      return new FakeSession(name)
    }
    const first = await pool.acquire(key('seg', 'aa', 'wasm'), create('seg wasm'))
    const again = await pool.acquire(key('seg', 'aa', 'wasm'), create('unused'))
    assert.equal(first.reused, false)
    assert.equal(again.reused, true)
    assert.equal(again.session, first.session)
    const gpu = await pool.acquire(key('seg', 'aa', 'webgpu'), create('seg webgpu'))
    const newer = await pool.acquire(key('seg', 'bb', 'wasm'), create('seg v2 wasm'))
    assert.deepEqual([gpu.reused, newer.reused], [false, false])
    assert.equal(created, 3)
  })

  it('keeps nothing when creating the session fails', async () => {
    const pool = new SessionPool<FakeSession>()
    await assert.rejects(
      pool.acquire(key('seg', 'aa', 'wasm'), async () => Promise.reject(new Error('no memory'))),
      /no memory/,
    )
    const retry = await pool.acquire(key('seg', 'aa', 'wasm'), async () => new FakeSession('second try'))
    assert.equal(retry.reused, false)
  })

  it('releases the sessions that match, every one of them even when one fails, and creates anew afterwards', async () => {
    const pool = new SessionPool<FakeSession>()
    const sessions = {
      segWasm: new FakeSession('seg wasm', true),
      segGpu: new FakeSession('seg webgpu'),
      cls: new FakeSession('cls wasm'),
    }
    await pool.acquire(key('seg', 'aa', 'wasm'), async () => sessions.segWasm)
    await pool.acquire(key('seg', 'aa', 'webgpu'), async () => sessions.segGpu)
    await pool.acquire(key('cls', 'cc', 'wasm'), async () => sessions.cls)

    assert.equal(await pool.release((candidate) => candidate.modelId === 'seg'), 2)
    assert.deepEqual([sessions.segWasm.released, sessions.segGpu.released, sessions.cls.released], [1, 1, 0])
    assert.equal((await pool.acquire(key('seg', 'aa', 'wasm'), async () => new FakeSession('fresh'))).reused, false)
    assert.equal((await pool.acquire(key('cls', 'cc', 'wasm'), async () => new FakeSession('unused'))).reused, true)

    assert.equal(await pool.release(sameSession(key('cls', 'cc', 'wasm'))), 1)
    assert.equal(sessions.cls.released, 1)
    assert.equal(await pool.release(), 1)
    assert.equal(await pool.release(), 0)
  })

  it('keeps at most its limit, releasing the least recently used first', async () => {
    const pool = new SessionPool<FakeSession>(2)
    const made = { a: new FakeSession('a'), b: new FakeSession('b'), c: new FakeSession('c'), d: new FakeSession('d') }
    await pool.acquire(key('a', '1', 'wasm'), async () => made.a)
    await pool.acquire(key('b', '1', 'wasm'), async () => made.b)
    assert.equal((await pool.acquire(key('a', '1', 'wasm'), async () => new FakeSession('unused'))).reused, true)
    await pool.acquire(key('c', '1', 'wasm'), async () => made.c)
    assert.deepEqual([made.a.released, made.b.released, made.c.released], [0, 1, 0])
    await pool.acquire(key('d', '1', 'wasm'), async () => made.d)
    assert.deepEqual([made.a.released, made.c.released, made.d.released], [1, 0, 0])
    assert.equal((await pool.acquire(key('b', '1', 'wasm'), async () => new FakeSession('b again'))).reused, false)
    assert.equal(await pool.release(), 2)
  })
})

describe('WebGPU → WASM fallback', () => {
  const reason = (error: unknown) => (error instanceof Error && error.message !== 'cancelled' ? `WebGPU: ${error.message}` : null)

  it('redoes a failed WebGPU attempt on WASM and says why', async () => {
    const tried: string[] = []
    const result = await withWasmFallback(
      'webgpu',
      async (provider) => {
        tried.push(provider)
        if (provider === 'webgpu') throw new Error('device lost')
        return 42
      },
      reason,
    )
    assert.deepEqual(tried, ['webgpu', 'wasm'])
    assert.deepEqual(result, { value: 42, provider: 'wasm', fallbackReason: 'WebGPU: device lost' })
  })

  it('does not retry what WASM would fail the same way, nor a WASM failure', async () => {
    const tried: string[] = []
    const attempt = async (provider: string) => {
      tried.push(provider)
      throw new Error(provider === 'webgpu' ? 'cancelled' : 'wasm broke')
    }
    await assert.rejects(withWasmFallback('webgpu', attempt, reason), /cancelled/)
    await assert.rejects(withWasmFallback('wasm', attempt, reason), /wasm broke/)
    assert.deepEqual(tried, ['webgpu', 'wasm'])
  })

  it('reports no fallback when the first attempt succeeds', async () => {
    assert.deepEqual(await withWasmFallback('webgpu', async () => 'ok', reason), { value: 'ok', provider: 'webgpu', fallbackReason: null })
  })
})
