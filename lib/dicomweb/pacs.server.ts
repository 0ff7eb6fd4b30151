import 'server-only'
import { appendAudit, type AuditContext } from '../audit/append.server'
import type { SessionUser } from '../auth/session-user'
import type { Db } from '../db/client.server'
import type { PacsServer } from '../db/generated/sqlite/client'
import { AppError } from '../errors'
import { invalidatePacsOrigins } from './pacs-origins.server'
import type { CreatePacsServer, PacsServerDto, UpdatePacsServer } from './schema'

// PACS server configuration: every change is audited in the same transaction as the change
// (110113 Security Alert / 110128 Network Configuration, since it also widens the CSP), and
// the CSP's origin cache is invalidated once it has committed.

export function toPacsServerDto(row: PacsServer): PacsServerDto {
  return {
    id: row.id,
    name: row.name,
    qidoRoot: row.qidoRoot,
    wadoRoot: row.wadoRoot,
    hasAuthHeader: row.authHeader !== null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  }
}

export async function listPacsServers(db: Db): Promise<PacsServerDto[]> {
  const rows = await db.pacsServer.findMany({ orderBy: { name: 'asc' } })
  return rows.map(toPacsServerDto)
}

function contextOf(actor: SessionUser, sourceIp?: string): AuditContext {
  return { actor: { id: actor.id, username: actor.username, role: actor.role }, sourceIp }
}

const nameTaken = (name: string) => new AppError('conflict', 'pacs', `A PACS server named "${name}" already exists.`)
const notFound = () => new AppError('not_found', 'pacs', 'No such PACS server.')

export async function createPacsServer(db: Db, input: CreatePacsServer, actor: SessionUser, sourceIp?: string): Promise<PacsServerDto> {
  const created = await db.$transaction(async (tx) => {
    if (await tx.pacsServer.findUnique({ where: { name: input.name } })) throw nameTaken(input.name)
    const row = await tx.pacsServer.create({
      data: { name: input.name, qidoRoot: input.qidoRoot, wadoRoot: input.wadoRoot, authHeader: input.authHeader ?? null },
    })
    await appendAudit(
      tx,
      {
        type: 'pacs-configured',
        change: 'created',
        pacsId: row.id,
        name: row.name,
        qidoRoot: row.qidoRoot,
        wadoRoot: row.wadoRoot,
        hasAuthHeader: row.authHeader !== null,
        changedFields: ['name', 'qidoRoot', 'wadoRoot', ...(row.authHeader !== null ? ['authHeader'] : [])],
      },
      contextOf(actor, sourceIp),
    )
    return row
  })
  invalidatePacsOrigins()
  return toPacsServerDto(created)
}

/** Applies the given fields; a change that changes nothing writes nothing and no audit event. */
export async function updatePacsServer(db: Db, id: string, change: UpdatePacsServer, actor: SessionUser, sourceIp?: string): Promise<PacsServerDto> {
  const updated = await db.$transaction(async (tx) => {
    const row = await tx.pacsServer.findUnique({ where: { id } })
    if (!row) throw notFound()
    const changedFields = (['name', 'qidoRoot', 'wadoRoot', 'authHeader'] as const).filter((field) => change[field] !== undefined && change[field] !== row[field])
    if (changedFields.length === 0) return row
    if (change.name !== undefined && change.name !== row.name && (await tx.pacsServer.findUnique({ where: { name: change.name } }))) {
      throw nameTaken(change.name)
    }
    const next = await tx.pacsServer.update({
      where: { id },
      data: { name: change.name, qidoRoot: change.qidoRoot, wadoRoot: change.wadoRoot, authHeader: change.authHeader },
    })
    await appendAudit(
      tx,
      {
        type: 'pacs-configured',
        change: 'updated',
        pacsId: next.id,
        name: next.name,
        qidoRoot: next.qidoRoot,
        wadoRoot: next.wadoRoot,
        hasAuthHeader: next.authHeader !== null,
        changedFields,
      },
      contextOf(actor, sourceIp),
    )
    return next
  })
  invalidatePacsOrigins()
  return toPacsServerDto(updated)
}

export async function deletePacsServer(db: Db, id: string, actor: SessionUser, sourceIp?: string): Promise<void> {
  await db.$transaction(async (tx) => {
    const row = await tx.pacsServer.findUnique({ where: { id } })
    if (!row) throw notFound()
    await tx.pacsServer.delete({ where: { id } })
    await appendAudit(tx, { type: 'pacs-removed', pacsId: row.id, name: row.name }, contextOf(actor, sourceIp))
  })
  invalidatePacsOrigins()
}
