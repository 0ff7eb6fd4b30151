// The writer the kill cycles (cycles.ts) start and SIGKILL: an HTTP server on loopback
// that makes the app's own writes through its services (an audit event with recordAudit,
// a read opened with openReadFor, which writes the read and its audit event in one
// transaction) and answers only once the write has committed. Not the Next app: a cycle
// must start in a second or two. PARALLAX_CRASH_READER is the radiologist who opens reads.
import { createServer, type ServerResponse } from 'node:http'
import { appendAudit, recordAudit } from '../../lib/audit/append.server'
import type { SessionUser } from '../../lib/auth/session-user'
import { getDb } from '../../lib/db/client.server'
import { openReadFor } from '../../lib/findings/reads.server'

const db = getDb()
const reader = JSON.parse(process.env.PARALLAX_CRASH_READER ?? 'null') as SessionUser
if (!reader) throw new Error('PARALLAX_CRASH_READER is not set')

async function write(kind: string, token: string): Promise<Record<string, string | number>> {
  if (kind === 'audit') {
    return { seq: await recordAudit(db, { type: 'access-denied', resource: `/crash/${token}`, method: 'POST' }, { actor: null, sourceIp: '127.0.0.1' }) }
  }
  if (kind === 'read') {
    const read = await openReadFor(db, reader, '127.0.0.1', {
      studyInstanceUid: `2.25.${token.replace(/\D/g, '')}`,
      studyDescription: `crash ${token}`,
      studyDate: '',
      accessionNumber: '',
      modality: 'CT',
      source: 'local',
      sourceRef: null,
    })
    return { readId: read.id }
  }
  throw new Error(`unknown write ${kind}`)
}

// PARALLAX_CRASH_ACK_EARLY=1 answers from inside the transaction, before the commit: the
// bug the cycles exist to catch, so that their check is seen to fail (tests/data/crash-cycles.test.ts).
const ackEarly = process.env.PARALLAX_CRASH_ACK_EARLY === '1'

function answerBeforeCommit(token: string, response: ServerResponse): Promise<void> {
  return db.$transaction(async (tx) => {
    const seq = await appendAudit(tx, { type: 'access-denied', resource: `/crash/${token}`, method: 'POST' }, { actor: null, sourceIp: '127.0.0.1' })
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ seq }))
    await new Promise((resolve) => setTimeout(resolve, 50))
  })
}

const server = createServer((request, response) => {
  const [, kind, token] = (request.url ?? '').split('/')
  if (request.method !== 'POST' || !kind || !token) {
    response.writeHead(404).end()
    return
  }
  if (ackEarly && kind === 'audit') {
    void answerBeforeCommit(token, response).catch(() => undefined)
    return
  }
  write(kind, token).then(
    (body) => response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body)),
    (error: Error) => response.writeHead(500).end(error.message),
  )
})
// Connected, and its queries compiled by one write of each kind, before it says ready: the
// kill should land among writes, not before the first.
await write('audit', 'warm-up')
await write('read', '0')
server.listen(0, '127.0.0.1', () => {
  const address = server.address()
  console.log(`ready ${typeof address === 'object' && address ? address.port : 0}`)
})
