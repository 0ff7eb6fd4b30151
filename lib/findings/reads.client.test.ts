import { afterEach, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { findingDto, readDto } from '../../tests/support/read-dto'
import { AppError } from '../errors'
import { ApiError } from '../http/api-error'
import { addFinding, fetchRead, fetchReadsOfStudy, proposeFindings, recordExport, signRead } from './reads.client'
import { addFindingsBodySchema, exportBodySchema, signBodySchema, type FindingProposal } from './schema'

// The browser's reads client against a fake fetch: what it sends is what the routes'
// schemas take, what it returns is what the DTO schemas allow, and refusals keep their codes.

interface Sent {
  url: string
  method: string
  body: unknown
}

const realFetch = globalThis.fetch
afterEach(() => {
  globalThis.fetch = realFetch
})

/** Answers every request with the response `answer` makes; returns what was sent. */
function fakeFetch(answer: () => Response): Sent[] {
  const sent: Sent[] = []
  globalThis.fetch = async (input, init) => {
    sent.push({ url: String(input), method: init?.method ?? 'GET', body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined })
    return answer()
  }
  return sent
}

async function rejection(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise
  } catch (error) {
    assert.ok(error instanceof ApiError, `expected an ApiError, got ${String(error)}`)
    return error
  }
  assert.fail('expected the promise to reject')
}

const proposal: FindingProposal = {
  model: { id: 'nodule-detector', version: '1.0.0', sha256: 'ab'.repeat(32) },
  executionProvider: 'webgpu',
  explanationMethod: 'Grad-CAM',
  findings: [{ label: 'Lung nodule', location: findingDto('f1').location, measurementMm: 8.5, probability: 0.9 }],
}

describe('reads client', () => {
  it('returns the reads of a study as the DTO schema reads them', async () => {
    const reads = [readDto('r2', { findings: [findingDto('f1')] }), readDto('r1', { status: 'signed' })]
    const sent = fakeFetch(() => Response.json(reads))
    assert.deepEqual(await fetchReadsOfStudy('1.2.3'), reads)
    assert.deepEqual(sent, [{ url: '/api/reads?study=1.2.3', method: 'GET', body: undefined }])
  })

  it('refuses a read the server should not have sent', async () => {
    fakeFetch(() => Response.json({ ...readDto('r1'), status: 'archived' }))
    const error = await rejection(fetchRead('r1'))
    assert.equal(error.code, 'invalid_response:api')
    assert.deepEqual(
      error.issues.map((issue) => issue.path),
      ['status'],
    )
  })

  it("sends a proposal as the findings route's AI body", async () => {
    const answered = readDto('r1', { findings: [findingDto('f1')] })
    const sent = fakeFetch(() => Response.json(answered, { status: 201 }))
    assert.deepEqual(await proposeFindings('r1', proposal), answered)
    assert.equal(sent[0]!.url, '/api/reads/r1/findings')
    assert.equal(sent[0]!.method, 'POST')
    assert.deepEqual(addFindingsBodySchema.parse(sent[0]!.body), { origin: 'ai', ...proposal })
  })

  it("sends a reader's finding as the findings route's reader body", async () => {
    const sent = fakeFetch(() => Response.json(readDto('r1'), { status: 201 }))
    const finding = { label: 'Mass' as const, location: findingDto('f1').location, measurementMm: null, note: 'Missed.' }
    await addFinding('r1', finding)
    assert.deepEqual(addFindingsBodySchema.parse(sent[0]!.body), { origin: 'reader', ...finding })
  })

  it('signs with the password, the meaning and the content hash shown, as the signature route reads them', async () => {
    const sent = fakeFetch(() => Response.json(readDto('r1', { status: 'signed' }), { status: 201 }))
    await signRead('r1', 'secret', 'approval', 'ab'.repeat(32))
    assert.equal(sent[0]!.url, '/api/reads/r1/signature')
    assert.deepEqual(signBodySchema.parse(sent[0]!.body), { password: 'secret', meaning: 'approval', contentHash: 'ab'.repeat(32) })
    assert.equal(signBodySchema.safeParse({ password: 'secret', meaning: 'approval' }).success, false, 'a signature without the hash shown is refused')
  })

  it("keeps the server's code and message when signing is refused", async () => {
    fakeFetch(() => new AppError('forbidden', 'findings', 'The password is not correct; the read was not signed.').toResponse())
    const error = await rejection(signRead('r1', 'wrong', 'approval', 'c0'.repeat(32)))
    assert.equal(error.code, 'forbidden:findings')
    assert.equal(error.status, 403)
    assert.equal(error.message, 'The password is not correct; the read was not signed.')
  })

  it('records an export (204) as null', async () => {
    const sent = fakeFetch(() => new Response(null, { status: 204 }))
    assert.equal(await recordExport('r1', 'pacs', 'orthanc'), null)
    assert.deepEqual(exportBodySchema.parse(sent[0]!.body), { destination: 'pacs', pacsId: 'orthanc' })
  })

  it('turns a request that got no answer into network:api', async () => {
    globalThis.fetch = async () => {
      throw new TypeError('Failed to fetch')
    }
    const error = await rejection(fetchRead('r1'))
    assert.equal(error.code, 'network:api')
    assert.equal(error.status, 0)
  })
})
