// Downloads by URL against real local servers on 127.0.0.1, reachable only because each
// test's allow-list names them: refusal of non-public addresses, redirects, timeouts,
// the size cap, and error messages that never carry what the server sent.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer, type Socket } from 'node:net'
import { fetchOutbound, isPublicAddress, OutboundFetchError, parseOutboundAllowList, type OutboundFetchErrorKind } from './outbound-fetch.server'

const secret = 'internal-secret-7f3a'
const body = Buffer.from('model bytes, 32 of them, exactly')

function listen(server: Server | TcpServer): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)))
}

async function refused(promise: Promise<unknown>, kind: OutboundFetchErrorKind, message: RegExp): Promise<OutboundFetchError> {
  let caught: unknown
  await promise.then(
    () => assert.fail('fetched'),
    (error: unknown) => (caught = error),
  )
  assert.ok(caught instanceof OutboundFetchError, String(caught))
  assert.equal(caught.kind, kind, caught.message)
  assert.match(caught.message, message)
  assert.ok(!caught.message.includes(secret), `the message carries what the server sent: ${caught.message}`)
  return caught
}

describe('fetchOutbound', () => {
  const seen: string[] = []
  let server: Server
  let port = 0
  const sockets = new Set<Socket>()
  const stalled = new Set<ServerResponse>()

  const routes: Record<string, (request: IncomingMessage, response: ServerResponse) => void> = {
    '/file': (_request, response) => response.writeHead(200, { 'content-type': 'application/octet-stream' }).end(body),
    '/r1': (_request, response) => response.writeHead(302, { location: '/file' }).end(),
    '/r2': (_request, response) => response.writeHead(301, { location: `http://127.0.0.1:${port}/r1` }).end(),
    '/r3': (_request, response) => response.writeHead(307, { location: '/r2' }).end(),
    '/r4': (_request, response) => response.writeHead(308, { location: '/r3' }).end(),
    '/elsewhere': (_request, response) => response.writeHead(302, { location: `http://localhost:${port}/file?${secret}` }).end(),
    '/error': (_request, response) => response.writeHead(500, { 'content-type': 'text/plain', 'x-detail': secret }).end(`${secret}: stack trace`),
    '/declared-large': (_request, response) => response.writeHead(200, { 'content-length': '2048' }).end(Buffer.alloc(2048)),
    '/streamed-large': (_request, response) => {
      response.writeHead(200, { 'content-type': 'application/octet-stream' })
      for (let i = 0; i < 8; i++) response.write(Buffer.alloc(512, i))
      response.end()
    },
    '/stall': (_request, response) => {
      response.writeHead(200, { 'content-length': '4096' })
      response.write(Buffer.alloc(100))
      stalled.add(response)
    },
  }

  before(async () => {
    server = createServer((request, response) => {
      seen.push(request.url ?? '')
      const handler = routes[new URL(request.url ?? '/', 'http://x').pathname]
      if (handler) handler(request, response)
      else response.writeHead(404).end()
    })
    server.on('connection', (socket) => {
      sockets.add(socket)
      socket.on('close', () => sockets.delete(socket))
    })
    port = await listen(server)
  })
  after(async () => {
    for (const response of stalled) response.destroy()
    for (const socket of sockets) socket.destroy()
    await new Promise((resolve) => server.close(resolve))
  })

  const allowLoopback = parseOutboundAllowList('127.0.0.1')
  const at = (path: string) => `http://127.0.0.1:${port}${path}`

  it('refuses loopback, private and link-local addresses without the allow-list, before connecting', async () => {
    seen.length = 0
    for (const url of [
      at('/file'),
      'http://10.1.2.3/model.onnx',
      'http://169.254.169.254/latest/meta-data/',
      `http://[::1]:${port}/file`,
      `http://[::ffff:127.0.0.1]:${port}/file`,
      'http://0.0.0.0/',
      'http://192.168.1.1/',
      'http://172.20.0.1/',
      `http://localhost:${port}/file`,
    ]) {
      await refused(fetchOutbound(url, { maxBytes: 1024 }), 'refused-address', /non-public address.*allow-list/)
    }
    assert.deepEqual(seen, [], 'no request reached the local server')
  })

  it('fetches a loopback address the allow-list names, as an address or as a range', async () => {
    assert.deepEqual(Buffer.from(await fetchOutbound(at('/file'), { maxBytes: 1024, allow: allowLoopback })), body)
    assert.deepEqual(Buffer.from(await fetchOutbound(at('/file'), { maxBytes: 1024, allow: parseOutboundAllowList('10.0.0.0/8, 127.0.0.0/8') })), body)
    // Naming another private address does not open this one.
    await refused(fetchOutbound(at('/file'), { maxBytes: 1024, allow: parseOutboundAllowList('10.0.0.0/8 ::1') }), 'refused-address', /127\.0\.0\.1/)
  })

  it('follows up to three redirects on the same host, and no more', async () => {
    assert.deepEqual(Buffer.from(await fetchOutbound(at('/r3'), { maxBytes: 1024, allow: allowLoopback })), body)
    seen.length = 0
    await refused(fetchOutbound(at('/r4'), { maxBytes: 1024, allow: allowLoopback }), 'redirect', /More than 3 redirects/)
    assert.deepEqual(seen, ['/r4', '/r3', '/r2', '/r1'])
  })

  it('does not follow a redirect to another host, even one the allow-list names', async () => {
    seen.length = 0
    const error = await refused(fetchOutbound(at('/elsewhere'), { maxBytes: 1024, allow: parseOutboundAllowList('127.0.0.1 localhost') }), 'redirect', /another host/)
    assert.ok(!error.message.includes('localhost'), 'the redirect target is not echoed')
    assert.deepEqual(seen, ['/elsewhere'])
  })

  it('reports an error status without the body or headers the server sent', async () => {
    await refused(fetchOutbound(at('/error'), { maxBytes: 1024, allow: allowLoopback }), 'status', /answered HTTP 500\.$/)
  })

  it('caps the size, whether the server declares it or streams it', async () => {
    await refused(fetchOutbound(at('/declared-large'), { maxBytes: 1024, allow: allowLoopback }), 'too-large', /limit of 1024 bytes/)
    await refused(fetchOutbound(at('/streamed-large'), { maxBytes: 1024, allow: allowLoopback }), 'too-large', /limit of 1024 bytes/)
    assert.equal((await fetchOutbound(at('/streamed-large'), { maxBytes: 4096, allow: allowLoopback })).byteLength, 4096)
  })

  it('gives up on a body that stops coming (total timeout)', async () => {
    const started = Date.now()
    await refused(fetchOutbound(at('/stall'), { maxBytes: 8192, allow: allowLoopback, totalTimeoutMs: 300 }), 'timeout', /did not finish within 0\.3 s/)
    assert.ok(Date.now() - started < 5_000)
  })

  it('gives up on a connection that never stands (connect timeout)', async () => {
    // Accepts TCP but never answers the TLS handshake.
    const silent = createTcpServer((socket) => socket.on('error', () => {}))
    const silentPort = await listen(silent)
    try {
      const started = Date.now()
      await refused(
        fetchOutbound(`https://127.0.0.1:${silentPort}/file`, { maxBytes: 1024, allow: allowLoopback, connectTimeoutMs: 200, totalTimeoutMs: 10_000 }),
        'timeout',
        /did not accept a connection within 0\.2 s/,
      )
      assert.ok(Date.now() - started < 5_000)
    } finally {
      silent.close()
    }
  })

  it('refuses URLs it should not fetch at all', async () => {
    await refused(fetchOutbound('file:///etc/passwd', { maxBytes: 1024 }), 'bad-url', /http and https/)
    await refused(fetchOutbound(`http://user:pw@127.0.0.1:${port}/file`, { maxBytes: 1024, allow: allowLoopback }), 'bad-url', /user name or password/)
    await refused(fetchOutbound('not a url', { maxBytes: 1024 }), 'bad-url', /valid URL/)
  })
})

describe('address policy', () => {
  it('tells public addresses from the rest', () => {
    for (const address of ['8.8.8.8', '1.1.1.1', '2606:4700:4700::1111', '::ffff:8.8.8.8']) assert.equal(isPublicAddress(address), true, address)
    for (const address of ['127.0.0.1', '10.0.0.1', '172.31.255.255', '192.168.0.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '224.0.0.1', '255.255.255.255']) {
      assert.equal(isPublicAddress(address), false, address)
    }
    for (const address of ['::1', '::', 'fe80::1', 'fd00::1', 'ff02::1', '::ffff:127.0.0.1', '::ffff:10.0.0.1', '64:ff9b::a00:1', '2002:a00:1::1']) {
      assert.equal(isPublicAddress(address), false, address)
    }
  })

  it('parses host names, addresses and CIDR ranges, and refuses anything else', () => {
    const allow = parseOutboundAllowList('models.example.org, 10.0.0.0/8 [::1] fd00::/8')
    assert.deepEqual([...allow.hosts], ['models.example.org'])
    assert.equal(allow.addresses.check('10.9.8.7', 'ipv4'), true)
    assert.equal(allow.addresses.check('::1', 'ipv6'), true)
    assert.equal(allow.addresses.check('fd12::1', 'ipv6'), true)
    assert.equal(allow.addresses.check('192.168.0.1', 'ipv4'), false)
    for (const bad of ['10.0.0.0/33', 'http://example.org', '10.0.0.0/8/1', 'exa_mple.org', '::1/129', 'host/8']) {
      assert.throws(() => parseOutboundAllowList(bad, 'PARALLAX_MODEL_URL_ALLOW'), /PARALLAX_MODEL_URL_ALLOW: ".*" is not a host name/, bad)
    }
    assert.equal(parseOutboundAllowList(undefined).hosts.size, 0)
  })
})
