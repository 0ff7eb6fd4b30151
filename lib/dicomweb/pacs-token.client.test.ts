import { afterEach, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { pacsAuthorization } from './pacs-token.client'

// The browser's token holder on a stand-in fetch and clock: one request for concurrent
// callers, the token kept while it has more than a minute left, renewed after, refusals
// explained and not kept.

const realFetch = globalThis.fetch
const realNow = Date.now
let now = Date.UTC(2026, 0, 2, 3, 4, 5)
afterEach(() => {
  globalThis.fetch = realFetch
  Date.now = realNow
})

function tokenServer(answer: (call: number) => Response = (call) => Response.json({ access_token: `t${call}.p.s`, token_type: 'Bearer', expires_in: 300, scope: 'read' })) {
  const calls: { url: string; body: unknown }[] = []
  Date.now = () => now
  globalThis.fetch = async (input, init) => {
    calls.push({ url: String(input), body: JSON.parse(String(init?.body)) })
    return answer(calls.length)
  }
  return calls
}

describe('pacsAuthorization', () => {
  it('asks once for concurrent callers and keeps the token while more than a minute is left', async () => {
    const calls = tokenServer()
    const [a, b] = await Promise.all([pacsAuthorization('p-1'), pacsAuthorization('p-1')])
    assert.equal(a, 'Bearer t1.p.s')
    assert.equal(b, a)
    now += 239_000
    assert.equal(await pacsAuthorization('p-1'), 'Bearer t1.p.s')
    assert.deepEqual(calls, [{ url: '/api/pacs/p-1/token', body: { scope: 'read' } }])
    now += 2_000
    assert.equal(await pacsAuthorization('p-1'), 'Bearer t2.p.s', 'renewed a minute before it runs out')
    assert.equal(calls.length, 2)
  })

  it('keeps tokens per PACS and scope', async () => {
    const calls = tokenServer()
    await pacsAuthorization('p-2')
    await pacsAuthorization('p-2', 'write')
    await pacsAuthorization('p-3')
    assert.deepEqual(calls, [
      { url: '/api/pacs/p-2/token', body: { scope: 'read' } },
      { url: '/api/pacs/p-2/token', body: { scope: 'write' } },
      { url: '/api/pacs/p-3/token', body: { scope: 'read' } },
    ])
  })

  it('says why a role gets no token, and asks again next time', async () => {
    const calls = tokenServer((call) =>
      call === 1
        ? Response.json({ code: 'forbidden:auth', message: 'Your role does not allow this action.' }, { status: 403 })
        : Response.json({ access_token: 'ok.p.s', token_type: 'Bearer', expires_in: 300, scope: 'read' }),
    )
    await assert.rejects(pacsAuthorization('p-4'), /Your role does not retrieve studies from the PACS/)
    assert.equal(await pacsAuthorization('p-4'), 'Bearer ok.p.s')
    assert.equal(calls.length, 2)
  })
})
