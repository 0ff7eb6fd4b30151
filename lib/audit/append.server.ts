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

/**
 * Appends one event to the hash chain. Call it inside the same transaction as the change
 * it records, so the change and its audit event commit or fail together.
 */
export async function appendAudit(tx: Tx, event: AuditEventInput, context: AuditContext): Promise<number> {
  if (getDatabase().config.provider === 'postgresql') {
    await tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(${postgresChainLock})`)
  }
  const head = await tx.auditEvent.findFirst({ orderBy: { seq: 'desc' }, select: { seq: true, hash: true } })
  const coding = codeAuditEvent(event)
  const fields: ChainedFields = {
    seq: (head?.seq ?? 0) + 1,
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
  const prevHash = head?.hash ?? GENESIS_HASH
  await tx.auditEvent.create({ data: { ...fields, prevHash, hash: hashEvent(prevHash, fields) } })
  return fields.seq
}

/** Records an event that accompanies no other change (a login, a denied request). */
export async function recordAudit(db: Db, event: AuditEventInput, context: AuditContext): Promise<number> {
  return db.$transaction((tx) => appendAudit(tx, event, context))
}
