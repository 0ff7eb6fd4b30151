import 'server-only'
import type { Db } from '../db/client.server'
import { readInclude, toReadDto, withSignedEvents } from './read-rows.server'
import type { SignatureProblem } from './types'

// Every signed read checked at once (npm run audit:verify): each signature as the DTO's
// `valid` checks it (content hash, the server's Ed25519 signature, the read-signed event it
// points at), plus what no single read shows: a read marked signed without a signature,
// and a read-signed event that no signature answers to (a signature row removed, the read
// reopened).

export type ReadSignatureFinding = { readId: string; problem: SignatureProblem | 'signed-without-signature' | 'event-without-signature' }

export interface ReadSignatureVerdict {
  ok: boolean
  signedReads: number
  /** The first problems found (at most `limit`). */
  problems: ReadSignatureFinding[]
}

const page = 200

function readIdOf(entities: string): string | null {
  try {
    const read = (JSON.parse(entities) as { type?: unknown; id?: unknown }[]).find((entity) => entity.type === 'read')
    return typeof read?.id === 'string' ? read.id : null
  } catch {
    // Not what appendAudit writes: the chain check reports the event itself.
    return null
  }
}

export async function verifySignedReads(db: Db, limit = 20): Promise<ReadSignatureVerdict> {
  const problems: ReadSignatureFinding[] = []
  const answeredSeqs = new Set<number>()
  let signedReads = 0
  let cursor: string | undefined
  for (;;) {
    const rows = await db.read.findMany({
      where: { OR: [{ status: 'signed' }, { signature: { isNot: null } }] },
      include: readInclude,
      orderBy: { id: 'asc' },
      take: page,
      ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
    })
    for (const row of await withSignedEvents(db, rows)) {
      signedReads += 1
      if (row.signature?.auditSeq != null) answeredSeqs.add(row.signature.auditSeq)
      const signature = toReadDto(row).signature
      if (!signature) problems.push({ readId: row.id, problem: 'signed-without-signature' })
      else if (signature.problem) problems.push({ readId: row.id, problem: signature.problem })
    }
    if (rows.length < page) break
    cursor = rows.at(-1)!.id
  }
  let seq = 0
  for (;;) {
    const events = await db.auditEvent.findMany({
      where: { eventType: 'read-signed', seq: { gt: seq } },
      orderBy: { seq: 'asc' },
      take: page,
      select: { seq: true, entities: true },
    })
    for (const event of events) {
      if (answeredSeqs.has(event.seq)) continue
      problems.push({ readId: readIdOf(event.entities) ?? `(event ${event.seq})`, problem: 'event-without-signature' })
    }
    if (events.length < page) break
    seq = events.at(-1)!.seq
  }
  return { ok: problems.length === 0, signedReads, problems: problems.slice(0, limit) }
}
