import { pageRoles } from '@/lib/auth/access'
import { requirePageUser } from '@/lib/auth/guard.server'
import { ViewerLoader } from '@/lib/workspace/viewer-loader.client'

export default async function ViewerPage() {
  const user = await requirePageUser('/viewer', pageRoles.viewer)
  // Admins configure the system; they do not read or review studies.
  const reviewer = user.role === 'admin' ? null : { userId: user.id, role: user.role }
  return <ViewerLoader reviewer={reviewer} />
}
