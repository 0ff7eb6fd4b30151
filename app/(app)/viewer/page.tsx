import { pageRoles } from '@/lib/auth/access'
import { requirePageUser } from '@/lib/auth/guard.server'
import { ViewerLoader } from '@/lib/viewer/viewer-loader.client'

export default async function ViewerPage() {
  await requirePageUser('/viewer', pageRoles.viewer)
  return <ViewerLoader />
}
