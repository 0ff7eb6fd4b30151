import { z } from 'zod'

export const roles = ['radiologist', 'researcher', 'auditor', 'admin'] as const
export const roleSchema = z.enum(roles)
export type Role = z.infer<typeof roleSchema>

export const roleLabels: Record<Role, string> = {
  radiologist: 'Radiologist',
  researcher: 'Researcher',
  auditor: 'Auditor',
  admin: 'Administrator',
}

export function isRole(value: string): value is Role {
  return (roles as readonly string[]).includes(value)
}
