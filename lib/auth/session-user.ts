import type { Role } from '../vocabulary/roles'

/** The signed-in user as the app sees it: always read fresh from the database. */
export interface SessionUser {
  id: string
  username: string
  displayName: string
  role: Role
}
