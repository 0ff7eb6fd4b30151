import { pageRoles } from '@/lib/auth/access'
import { requirePageUser } from '@/lib/auth/guard.server'
import { getDb } from '@/lib/db/client.server'
import { UsersAdmin } from '@/lib/users/users-admin.client'
import { listUsers } from '@/lib/users/users.server'

export default async function AdminUsersPage() {
  const user = await requirePageUser('/admin/users', pageRoles.adminUsers)
  return (
    <>
      <h1>Users</h1>
      <UsersAdmin initialUsers={await listUsers(getDb())} currentUserId={user.id} />
    </>
  )
}
