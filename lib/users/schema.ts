import { z } from 'zod'
import { roleSchema } from '../vocabulary/roles'
import { isPublishedPassword } from './demo-accounts'

export const usernameSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9][a-z0-9._-]{1,31}$/, '2–32 characters: letters, digits, dot, dash or underscore')

// NIST SP 800-63B: length over composition rules, and no password known to be public (the
// README's demo passwords; only demo seeding uses them, without this schema).
export const newPasswordSchema = z
  .string()
  .min(12, 'at least 12 characters')
  .max(256, 'at most 256 characters')
  .refine((password) => !isPublishedPassword(password), 'not one of the demo passwords (they are published in the README)')

export const createUserSchema = z.object({
  username: usernameSchema,
  displayName: z.string().trim().min(1).max(100),
  role: roleSchema,
  password: newPasswordSchema,
})
export type CreateUser = z.infer<typeof createUserSchema>

export const updateUserSchema = z
  .object({
    role: roleSchema.optional(),
    disabled: z.boolean().optional(),
    password: newPasswordSchema.optional(),
  })
  .strict()
  .refine((value) => Object.values(value).some((field) => field !== undefined), 'give at least one of role, disabled, password')
export type UpdateUser = z.infer<typeof updateUserSchema>

export const userIdParamsSchema = z.object({ id: z.string().min(1).max(64) })

export interface UserDto {
  id: string
  username: string
  displayName: string
  role: z.infer<typeof roleSchema>
  disabled: boolean
  /** Single sign-on accounts have no Parallax password; their role follows the IdP at each sign-in. */
  signIn: 'local' | 'sso'
  createdAt: string
}
