import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createOriginCache, originsOf } from './pacs-origins'

describe('originsOf', () => {
  it('gives each distinct origin of the QIDO and WADO roots once, sorted', () => {
    assert.deepEqual(
      originsOf([
        { qidoRoot: 'https://pacs.example.org/dicom-web', wadoRoot: 'https://pacs.example.org/wado' },
        { qidoRoot: 'http://10.0.0.5:8042/dicom-web', wadoRoot: 'https://images.example.org:8443/dicom-web' },
      ]),
      ['http://10.0.0.5:8042', 'https://images.example.org:8443', 'https://pacs.example.org'],
    )
  })
})

describe('createOriginCache', () => {
  function harness() {
    let clock = 0
    let loads = 0
    let origins = ['https://a.example']
    let gate: Promise<void> = Promise.resolve()
    const cache = createOriginCache(
      async () => {
        loads += 1
        const seen = origins
        await gate
        return seen
      },
      1000,
      () => clock,
    )
    return {
      cache,
      loads: () => loads,
      tick: (ms: number) => (clock += ms),
      set: (next: string[]) => (origins = next),
      hold: () => {
        let release!: () => void
        gate = new Promise((resolve) => (release = resolve))
        return () => release()
      },
    }
  }

  it('reads once per TTL, and again after it', async () => {
    const h = harness()
    assert.deepEqual(await h.cache.get(), ['https://a.example'])
    h.set(['https://b.example'])
    h.tick(999)
    assert.deepEqual(await h.cache.get(), ['https://a.example'])
    assert.equal(h.loads(), 1)
    h.tick(1)
    assert.deepEqual(await h.cache.get(), ['https://b.example'])
    assert.equal(h.loads(), 2)
  })

  it('shares one read between concurrent requests', async () => {
    const h = harness()
    const release = h.hold()
    const both = Promise.all([h.cache.get(), h.cache.get()])
    release()
    assert.deepEqual(await both, [['https://a.example'], ['https://a.example']])
    assert.equal(h.loads(), 1)
  })

  it('invalidate() makes the next request read again at once', async () => {
    const h = harness()
    await h.cache.get()
    h.set(['https://b.example'])
    h.cache.invalidate()
    assert.deepEqual(await h.cache.get(), ['https://b.example'])
  })

  it('a read that started before invalidate() does not overwrite the newer list', async () => {
    const h = harness()
    const release = h.hold()
    const stale = h.cache.get() // reads ['https://a.example'], held
    h.set(['https://b.example'])
    h.cache.invalidate()
    release()
    assert.deepEqual(await stale, ['https://a.example'])
    assert.deepEqual(await h.cache.get(), ['https://b.example'])
  })

  it('fails closed: a failed read allows no PACS origin and is not cached', async (t) => {
    const errors = t.mock.method(console, 'error', () => {})
    let fail = true
    const cache = createOriginCache(async () => {
      if (fail) throw new Error('database down')
      return ['https://a.example']
    })
    assert.deepEqual(await cache.get(), [])
    assert.equal(errors.mock.callCount(), 1)
    fail = false
    assert.deepEqual(await cache.get(), ['https://a.example'])
  })
})
