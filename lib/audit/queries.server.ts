import 'server-only'
import type { Db, Prisma } from '../db/client.server'
import type { AuditEvent } from '../db/generated/sqlite/client'
import { canonicalJson } from './canonical-json'
import type { AuditEntity } from './events'
import { hashIdentifier } from './identifiers.server'
import { z } from 'zod'

const blankToUndefined = (value: unknown) => (value === '' ? undefined : value)
const optionalText = (max: number) => z.preprocess(blankToUndefined, z.string().trim().max(max).optional())
const optionalDate = z.preprocess(blankToUndefined, z.iso.date().optional())

/** What an auditor filters the trail by; every filter is optional and they combine (AND). */
export const auditFilterSchema = z.object({
  user: optionalText(100),
  role: optionalText(20),
  /** A StudyInstanceUID: matched through its keyed hash, as the trail stores it. */
  study: z.preprocess(
    blankToUndefined,
    z
      .string()
      .regex(/^[0-9.]+$/)
      .max(64)
      .optional(),
  ),
  model: optionalText(100),
  type: optionalText(40),
  /** UTC dates, inclusive. */
  from: optionalDate,
  to: optionalDate,
})
export type AuditFilter = z.infer<typeof auditFilterSchema>

export const auditPageQuerySchema = auditFilterSchema.extend({
  before: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
})
export type AuditPageQuery = z.infer<typeof auditPageQuerySchema>

/** The names of the filters in use (recorded when the trail is viewed or exported, never their values). */
export function activeFilters(filter: AuditFilter): string[] {
  return Object.entries(filter)
    .filter(([key, value]) => value !== undefined && key in auditFilterSchema.shape)
    .map(([key]) => key)
}

// Entities are stored as canonical JSON, so one entity is always this exact substring.
const entityText = (entity: AuditEntity) => canonicalJson(entity)

export function auditWhere(filter: AuditFilter): Prisma.AuditEventWhereInput {
  const and: Prisma.AuditEventWhereInput[] = []
  if (filter.user) and.push({ actorName: filter.user })
  if (filter.role) and.push({ actorRole: filter.role })
  if (filter.type) and.push({ eventType: filter.type })
  if (filter.study) and.push({ entities: { contains: entityText({ id: hashIdentifier(filter.study), type: 'study' }) } })
  if (filter.model) and.push({ entities: { contains: entityText({ id: filter.model, type: 'model' }) } })
  if (filter.from) and.push({ occurredAt: { gte: new Date(`${filter.from}T00:00:00.000Z`) } })
  if (filter.to) and.push({ occurredAt: { lt: new Date(new Date(`${filter.to}T00:00:00.000Z`).getTime() + 86_400_000) } })
  return and.length ? { AND: and } : {}
}

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

/** Newest first, paged by seq (keyset paging: steady cost however long the trail). */
export async function listAuditEvents(db: Db, query: AuditPageQuery): Promise<{ events: AuditEventDto[]; nextBefore: number | null }> {
  const rows = await db.auditEvent.findMany({
    where: { ...auditWhere(query), ...(query.before ? { seq: { lt: query.before } } : {}) },
    orderBy: { seq: 'desc' },
    take: query.limit,
  })
  const last = rows.at(-1)
  return { events: rows.map(toAuditEventDto), nextBefore: rows.length === query.limit && last && last.seq > 1 ? last.seq : null }
}

/** The most events one export holds; narrow the filters (dates) for more. */
export const maxExportEvents = 50_000

/** Oldest first, for export: the filtered events, read in pages of 1,000. */
export async function exportAuditEvents(db: Db, filter: AuditFilter): Promise<{ events: AuditEventDto[]; truncated: boolean }> {
  const events: AuditEventDto[] = []
  let after = 0
  for (;;) {
    const rows = await db.auditEvent.findMany({ where: { ...auditWhere(filter), seq: { gt: after } }, orderBy: { seq: 'asc' }, take: 1000 })
    for (const row of rows) {
      if (events.length === maxExportEvents) return { events, truncated: true }
      events.push(toAuditEventDto(row))
    }
    if (rows.length < 1000) return { events, truncated: false }
    after = rows.at(-1)!.seq
  }
}
