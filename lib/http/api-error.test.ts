import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { z } from 'zod'
import { AppError } from '../errors'
import { ApiError, parseResponse } from './api-error'

// Our mapping of answers to values and errors, on Response objects as fetch returns them.

const itemSchema = z.object({ id: z.string(), count: z.number().int() })

async function rejection(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise
  } catch (error) {
    assert.ok(error instanceof ApiError, `expected an ApiError, got ${String(error)}`)
    return error
  }
  assert.fail('expected the promise to reject')
}

describe('parseResponse', () => {
  it('returns the body as the schema outputs it', async () => {
    const value = await parseResponse(Response.json({ id: 'a', count: 2, extra: true }), itemSchema)
    assert.deepEqual(value, { id: 'a', count: 2 })
  })

  it('reads a 204 as null, checked like any answer', async () => {
    assert.equal(await parseResponse(new Response(null, { status: 204 }), z.null()), null)
    const error = await rejection(parseResponse(new Response(null, { status: 204 }), itemSchema))
    assert.equal(error.code, 'invalid_response:api')
  })

  it('refuses an answer that does not match the schema, saying where', async () => {
    const error = await rejection(parseResponse(Response.json({ id: 'a', count: 'two' }), itemSchema))
    assert.equal(error.code, 'invalid_response:api')
    assert.equal(error.status, 200)
    assert.deepEqual(
      error.issues.map((issue) => issue.path),
      ['count'],
    )
    assert.match(error.message, /does not understand/)
  })

  it('refuses a success whose body is not JSON', async () => {
    const error = await rejection(parseResponse(new Response('<html>', { status: 200 }), itemSchema))
    assert.equal(error.code, 'invalid_response:api')
    assert.deepEqual(error.issues, [])
  })

  it("keeps the server's code, status and message from an AppError's response", async () => {
    const response = new AppError('conflict', 'findings', 'This read is signed and cannot be changed.').toResponse()
    const error = await rejection(parseResponse(response, itemSchema))
    assert.equal(error.code, 'conflict:findings')
    assert.equal(error.status, 409)
    assert.equal(error.message, 'This read is signed and cannot be changed.')
    assert.equal(error.name, 'ApiError')
  })

  it('keeps the issues of a refused request body', async () => {
    const issues = [{ path: 'reason', message: 'Too short' }]
    const response = new AppError('bad_request', 'api', 'Invalid request body: reason: Too short', issues).toResponse()
    const error = await rejection(parseResponse(response, itemSchema))
    assert.equal(error.code, 'bad_request:api')
    assert.deepEqual(error.issues, issues)
  })

  it("keeps the route wrapper's generic 500", async () => {
    const response = Response.json({ code: 'internal:api', message: 'Something went wrong on the server; it has been logged.' }, { status: 500 })
    const error = await rejection(parseResponse(response, itemSchema))
    assert.equal(error.code, 'internal:api')
    assert.equal(error.message, 'Something went wrong on the server; it has been logged.')
  })

  it('derives the code from the status when the answer has none of ours', async () => {
    const notFound = await rejection(parseResponse(new Response('Not Found', { status: 404 }), itemSchema))
    assert.equal(notFound.code, 'not_found:api')
    assert.equal(notFound.message, 'Request failed (404)')
    const unknownCode = await rejection(parseResponse(Response.json({ code: 'teapot:kitchen', message: 'No coffee.' }, { status: 429 }), itemSchema))
    assert.equal(unknownCode.code, 'rate_limited:api')
    assert.equal(unknownCode.message, 'No coffee.')
    const gateway = await rejection(parseResponse(new Response('<html>Bad gateway</html>', { status: 502 }), itemSchema))
    assert.equal(gateway.code, 'internal:api')
    assert.equal(gateway.status, 502)
  })

  it('ignores details that are not issues', async () => {
    const response = new AppError('bad_request', 'pacs', 'Bad URL.', { field: 'qidoRoot' }).toResponse()
    const error = await rejection(parseResponse(response, itemSchema))
    assert.equal(error.code, 'bad_request:pacs')
    assert.deepEqual(error.issues, [])
  })
})
