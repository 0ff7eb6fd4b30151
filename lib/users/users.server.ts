import 'server-only'
import { appendAudit, type AuditContext } from '../audit/append.server'
import { hashPassword } from '../auth/password.server'
import { isRole } from '../vocabulary/roles'
import type { SessionUser } from '../auth/session-user'
import type { Db, Tx } from '../db/client.server'
import type { User } from '../db/generated/sqlite/client'
import { AppError } from '../errors'
import type { CreateUser, UpdateUser, UserDto } from './schema'

export function toUserDto(user: User): UserDto {
  if (!isRole(user.role)) throw new Error(`user ${user.id} has unknown role ${user.role}`)
  return {
    id: user.id,
    username: user.username,
    displayName: user.displayName,
    role: user.role,
    disabled: user.disabled,
    signIn: user.oidcSubject ? 'sso' : 'local',
    createdAt: user.createdAt.toISOString(),
  }
}

export async function listUsers(db: Db): Promise<UserDto[]> {
  const users = await db.user.findMany({ orderBy: { username: 'asc' } })
  return users.map(toUserDto)
}

/** A null actor is the system itself (first-start seeding). */
function contextOf(actor: SessionUser | null, sourceIp?: string): AuditContext {
  return { actor: actor && { id: actor.id, username: actor.username, role: actor.role }, sourceIp }
}

export async function createUser(db: Db, input: CreateUser, actor: SessionUser | null, sourceIp?: string): Promise<UserDto> {
  const passwordHash = await hashPassword(input.password)
  return db.$transaction(async (tx) => {
    if (await tx.user.findUnique({ where: { username: input.username } })) {
      throw new AppError('conflict', 'users', `The username "${input.username}" is already taken.`)
    }
    const user = await tx.user.create({
      data: { username: input.username, displayName: input.displayName, role: input.role, passwordHash },
    })
    await appendAudit(tx, { type: 'user-created', targetUserId: user.id, targetUsername: user.username, role: input.role }, contextOf(actor, sourceIp))
    return toUserDto(user)
  })
}

/** Applies role, enable/disable and password changes, each audited, in one transaction. */
export async function updateUser(db: Db, id: string, change: UpdateUser, actor: SessionUser, sourceIp?: string): Promise<UserDto> {
  if (id === actor.id && (change.disabled === true || (change.role && change.role !== 'admin'))) {
    throw new AppError('conflict', 'users', 'You cannot disable your own account or remove your own administrator role.')
  }
  const passwordHash = change.password ? await hashPassword(change.password) : undefined
  const context = contextOf(actor, sourceIp)
  return db.$transaction(async (tx: Tx) => {
    const user = await tx.user.findUnique({ where: { id } })
    if (!user || !isRole(user.role)) throw new AppError('not_found', 'users', 'No such user.')
    if (passwordHash && user.oidcSubject) {
      throw new AppError('conflict', 'users', `${user.username} signs in through single sign-on and has no Parallax password to reset.`)
    }
    const target = { targetUserId: user.id, targetUsername: user.username }
    if (change.role && change.role !== user.role) {
      await appendAudit(tx, { type: 'role-changed', ...target, from: user.role, to: change.role }, context)
    }
    if (change.disabled !== undefined && change.disabled !== user.disabled) {
      await appendAudit(tx, { type: change.disabled ? 'user-disabled' : 'user-enabled', ...target }, context)
    }
    if (passwordHash) await appendAudit(tx, { type: 'password-reset', ...target }, context)
    const updated = await tx.user.update({
      where: { id },
      data: {
        role: change.role,
        disabled: change.disabled,
        ...(passwordHash ? { passwordHash, sessionVersion: { increment: 1 } } : {}),
      },
    })
    return toUserDto(updated)
  })
}
