import 'server-only'
import type { Db } from '../db/client.server'
import type { AuditEvent } from '../db/generated/sqlite/client'
import type { AuditEntity } from './events'
import { z } from 'zod'

export const auditPageQuerySchema = z.object({
  before: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
})
export type AuditPageQuery = z.infer<typeof auditPageQuerySchema>

export interface AuditEventDto {
  seq: number
  occurredAt: string
  eventType: string
  eventCode: string
  eventTypeCode: string | null
  action: string
  outcome: number
  actor: { id: string | null; username: string | null; role: string | null } | null
  sourceIp: string | null
  entities: AuditEntity[]
  details: Record<string, unknown>
  hash: string
}

export function toAuditEventDto(event: AuditEvent): AuditEventDto {
  return {
    seq: event.seq,
    occurredAt: event.occurredAt.toISOString(),
    eventType: event.eventType,
    eventCode: event.eventCode,
    eventTypeCode: event.eventTypeCode,
    action: event.action,
    outcome: event.outcome,
    actor: event.actorId || event.actorName ? { id: event.actorId, username: event.actorName, role: event.actorRole } : null,
    sourceIp: event.sourceIp,
    entities: JSON.parse(event.entities) as AuditEntity[],
    details: JSON.parse(event.details) as Record<string, unknown>,
    hash: event.hash,
  }
}

/** Newest first, paged by seq. */
export async function listAuditEvents(db: Db, query: AuditPageQuery): Promise<{ events: AuditEventDto[]; nextBefore: number | null }> {
  const rows = await db.auditEvent.findMany({
    where: query.before ? { seq: { lt: query.before } } : undefined,
    orderBy: { seq: 'desc' },
    take: query.limit,
  })
  const last = rows.at(-1)
  return { events: rows.map(toAuditEventDto), nextBefore: rows.length === query.limit && last && last.seq > 1 ? last.seq : null }
}
