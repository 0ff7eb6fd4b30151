// The findings API bench's request senders (scripts/bench/http-transport.ts) against a real
// node:http server: both give the same answer (status, body, cookies), gzip included, and
// node:http keeps one connection per client.
import { describe, it, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { gzipSync } from 'node:zlib'
import { generatorFromEnv, generators, sender } from '../../scripts/bench/http-transport'

describe('the bench clients’ request senders', () => {
  let server: Server
  let baseURL: string
  const sockets = new Set<unknown>()
  const seen: { method: string; acceptEncoding: string | undefined; body: string; cookie: string | undefined }[] = []

  before(async () => {
    server = createServer((request, response) => {
      sockets.add(request.socket)
      let body = ''
      request.on('data', (chunk: Buffer) => (body += chunk.toString()))
      request.on('end', () => {
        seen.push({ method: request.method!, acceptEncoding: request.headers['accept-encoding'], body, cookie: request.headers.cookie })
        const json = JSON.stringify({ echo: body, path: request.url })
        const headers = { 'content-type': 'application/json', 'set-cookie': ['a=1; Path=/', 'b=two; HttpOnly'] }
        if (request.headers['accept-encoding']?.includes('gzip')) {
          response.writeHead(request.url === '/missing' ? 404 : 200, { ...headers, 'content-encoding': 'gzip' })
          response.end(gzipSync(json))
        } else {
          response.writeHead(request.url === '/missing' ? 404 : 200, headers)
          response.end(json)
        }
      })
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  after(() => server.close())

  for (const generator of generators) {
    it(`${generator}: status, decoded body and cookies`, async () => {
      const send = sender(generator)
      seen.length = 0
      const posted = await send('POST', `${baseURL}/x`, { 'content-type': 'application/json', cookie: 'k=v' }, '{"n":1}')
      assert.equal(posted.status, 200)
      assert.deepEqual(JSON.parse(posted.text), { echo: '{"n":1}', path: '/x' })
      assert.deepEqual(posted.setCookies, ['a=1; Path=/', 'b=two; HttpOnly'])
      const missing = await send('GET', `${baseURL}/missing`, {}, undefined)
      assert.equal(missing.status, 404)
      assert.deepEqual(JSON.parse(missing.text), { echo: '', path: '/missing' })
      assert.equal(seen[0]!.cookie, 'k=v')
      assert.match(seen[0]!.acceptEncoding ?? '', /gzip/, 'asks for gzip, as a browser does')
    })
  }

  it('node:http: one keep-alive connection per client', async () => {
    sockets.clear()
    const send = sender('node:http')
    await Promise.all([1, 2, 3].map(() => send('GET', `${baseURL}/y`, {}, undefined)))
    await send('GET', `${baseURL}/y`, {}, undefined)
    assert.equal(sockets.size, 1)
  })

  it('BENCH_FINDINGS_CLIENT: node:http by default, fetch on request, anything else refused', () => {
    assert.equal(generatorFromEnv(undefined), 'node:http')
    assert.equal(generatorFromEnv('fetch'), 'fetch')
    assert.throws(() => generatorFromEnv('curl'), /choose node:http or fetch/)
  })
})
