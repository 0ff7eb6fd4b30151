import { pageRoles } from '@/lib/auth/access'
import { requirePageUser } from '@/lib/auth/guard.server'
import { getDb } from '@/lib/db/client.server'
import { PacsAdmin } from '@/lib/dicomweb/pacs-admin.client'
import { listPacsServers } from '@/lib/dicomweb/pacs.server'

export default async function AdminPacsPage() {
  await requirePageUser('/admin/pacs', pageRoles.adminPacs)
  return (
    <>
      <h1>PACS servers</h1>
      <p className="muted">
        Browsers search and retrieve studies from these DICOMweb servers directly; images never pass through Parallax. Each server must answer this site&apos;s origin with CORS
        headers (Access-Control-Allow-Origin, and Authorization among the allowed headers), and check each user&apos;s access token by asking Parallax (README, &quot;Connecting a
        PACS&quot;). The PACS credential is never sent to a browser: the proxy in front of the PACS is handed it and adds it itself. Pages opened before a change keep their
        previous list of allowed addresses until reloaded.
      </p>
      <PacsAdmin initialServers={await listPacsServers(getDb())} />
    </>
  )
}
