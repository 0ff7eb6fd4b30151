import { demoAccounts } from '../../lib/users/demo-accounts'
import type { Role } from '../../lib/vocabulary/roles'

export function demoAccount(role: Role) {
  const account = demoAccounts.find((candidate) => candidate.role === role)
  if (!account) throw new Error(`no demo account for ${role}`)
  return account
}

let counter = 0
/** A username no other test uses (tests run in parallel against one server). */
export function uniqueUsername(prefix: string): string {
  counter += 1
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${counter}`.slice(0, 32).toLowerCase()
}
