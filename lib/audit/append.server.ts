import 'server-only'
import { canonicalJson } from './canonical-json'
import { GENESIS_HASH, hashEvent, type ChainedFields } from './chain'
import { codeAuditEvent, type AuditActor, type AuditEventInput } from './events'
import { getDatabase, type Db, type Tx } from '../db/client.server'

export interface AuditContext {
  actor: AuditActor | null
  sourceIp?: string | null
}

// Serialises appends on PostgreSQL (transaction-scoped advisory lock). On SQLite the
// write transaction already serialises them. The seq primary key is the backstop: a
// racing append fails instead of forking the chain.
const postgresChainLock = 0x5041524c // "PARL"

// The chain head each open transaction last appended: the lock is taken and the head read
// once per transaction; later appends in it chain on to what it wrote itself. Nobody else
// can append in between: the advisory lock (PostgreSQL) or the write lock (SQLite, taken by
// the first write) is held until the transaction ends.
const transactionHeads = new WeakMap<Tx, { seq: number; hash: string }>()

async function chainHead(tx: Tx): Promise<{ seq: number; hash: string }> {
  const known = transactionHeads.get(tx)
  if (known) return known
  if (getDatabase().config.provider === 'postgresql') {
    await tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(${postgresChainLock})`)
  }
  const head = await tx.auditEvent.findFirst({ orderBy: { seq: 'desc' }, select: { seq: true, hash: true } })
  return head ?? { seq: 0, hash: GENESIS_HASH }
}

function chainedRow(head: { seq: number; hash: string }, event: AuditEventInput, context: AuditContext) {
  const coding = codeAuditEvent(event)
  const fields: ChainedFields = {
    seq: head.seq + 1,
    // Millisecond precision: what both databases store and give back unchanged.
    occurredAt: new Date(Math.floor(Date.now())),
    eventType: event.type,
    eventCode: coding.eventCode,
    eventTypeCode: coding.eventTypeCode,
    action: coding.action,
    outcome: coding.outcome,
    actorId: context.actor?.id ?? null,
    actorName: context.actor?.username ?? null,
    actorRole: context.actor?.role ?? null,
    sourceIp: context.sourceIp ?? null,
    entities: canonicalJson(coding.entities),
    details: canonicalJson(coding.details),
  }
  return { ...fields, prevHash: head.hash, hash: hashEvent(head.hash, fields) }
}

/**
 * Appends events, in order, to the hash chain (one INSERT). Call it inside the same
 * transaction as the change they record, so the change and its audit events commit or
 * fail together. Returns the seq of the last one.
 */
export async function appendAudits(tx: Tx, events: readonly AuditEventInput[], context: AuditContext): Promise<number> {
  let head = await chainHead(tx)
  const rows = events.map((event) => {
    const row = chainedRow(head, event, context)
    head = { seq: row.seq, hash: row.hash }
    return row
  })
  if (rows.length === 1) await tx.auditEvent.create({ data: rows[0]! })
  else if (rows.length > 1) await tx.auditEvent.createMany({ data: rows })
  transactionHeads.set(tx, head)
  return head.seq
}

/** Appends one event to the hash chain; see appendAudits. */
export async function appendAudit(tx: Tx, event: AuditEventInput, context: AuditContext): Promise<number> {
  return appendAudits(tx, [event], context)
}

/** Records an event that accompanies no other change (a login, a denied request). */
export async function recordAudit(db: Db, event: AuditEventInput, context: AuditContext): Promise<number> {
  return db.$transaction((tx) => appendAudit(tx, event, context))
}
