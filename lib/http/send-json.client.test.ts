import { afterEach, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { z } from 'zod'
import { AppError } from '../errors'
import { ApiError } from './api-error'
import { sendForm, sendJson } from './send-json.client'

// sendJson and sendForm as the admin pages call them: without a schema the answer comes back
// unchecked (null for 204), with one it is checked; refusals are ApiErrors either way.

const realFetch = globalThis.fetch
afterEach(() => {
  globalThis.fetch = realFetch
})

function answerWith(response: () => Response): RequestInit[] {
  const inits: RequestInit[] = []
  globalThis.fetch = async (_input, init) => {
    inits.push(init ?? {})
    return response()
  }
  return inits
}

describe('sendJson', () => {
  it('sends JSON and returns the answer unchecked without a schema', async () => {
    const inits = answerWith(() => Response.json({ id: 'u1', anything: [1] }))
    assert.deepEqual(await sendJson('/api/admin/users', 'POST', { username: 'ana' }), { id: 'u1', anything: [1] })
    assert.equal(inits[0]!.method, 'POST')
    assert.deepEqual(inits[0]!.headers, { 'content-type': 'application/json' })
    assert.equal(inits[0]!.body, '{"username":"ana"}')
  })

  it('sends no body and returns null for a 204', async () => {
    const inits = answerWith(() => new Response(null, { status: 204 }))
    assert.equal(await sendJson('/api/admin/pacs/p1', 'DELETE'), null)
    assert.equal(inits[0]!.body, undefined)
    assert.equal(inits[0]!.headers, undefined)
  })

  it('checks the answer against a schema when given one', async () => {
    answerWith(() => Response.json({ id: 7 }))
    await assert.rejects(sendJson('/api/x', 'PATCH', {}, z.object({ id: z.string() })), (error) => error instanceof ApiError && error.code === 'invalid_response:api')
  })

  it("throws the server's refusal as an ApiError whose message forms show as it is", async () => {
    answerWith(() => new AppError('conflict', 'users', 'That username is taken.').toResponse())
    await assert.rejects(
      sendJson('/api/admin/users', 'POST', {}),
      (error) => error instanceof ApiError && error.code === 'conflict:users' && error.message === 'That username is taken.',
    )
  })
})

describe('sendForm', () => {
  it('posts the form as it is and keeps refusals typed', async () => {
    const inits = answerWith(() => new AppError('payload_too_large', 'models', 'The model is too large.').toResponse())
    const form = new FormData()
    form.set('manifest', 'x')
    await assert.rejects(sendForm('/api/admin/models/upload', form), (error) => error instanceof ApiError && error.code === 'payload_too_large:models' && error.status === 413)
    assert.equal(inits[0]!.body, form)
  })
})
