import { pageRoles } from '@/lib/auth/access'
import { requirePageUser } from '@/lib/auth/guard.server'
import { getDb } from '@/lib/db/client.server'
import { listPacsServers } from '@/lib/dicomweb/pacs.server'
import { StudySearchPanel } from '@/lib/dicomweb/study-search.client'

export default async function StudiesPage() {
  await requirePageUser('/studies', pageRoles.studies)
  const servers = (await listPacsServers(getDb())).map(({ id, name, qidoRoot }) => ({ id, name, qidoRoot }))
  return (
    <>
      <h1>Studies</h1>
      <p className="muted">
        This browser searches the PACS directly, with an access token of your own; the audit trail records which fields you searched and how many studies came back, never what you
        typed.
      </p>
      <StudySearchPanel servers={servers} />
    </>
  )
}
