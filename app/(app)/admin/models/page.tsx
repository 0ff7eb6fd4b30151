import { pageRoles } from '@/lib/auth/access'
import { requirePageUser } from '@/lib/auth/guard.server'
import { ModelAdmin } from '@/lib/inference/model-admin.client'
import { listModelSummaries } from '@/lib/inference/model-summary.server'

export default async function AdminModelsPage() {
  await requirePageUser('/admin/models', pageRoles.adminModels)
  return (
    <>
      <h1>Models</h1>
      <p className="muted">
        Models run in each reader&apos;s browser; images never reach this server. A model file is accepted only when its SHA-256 and
        tensor names match its manifest, and browsers check the SHA-256 again before every use. &ldquo;Check on this machine&rdquo;
        runs a model&apos;s raw forward pass on a small reproducible input on this browser&apos;s GPU and CPU and compares the two.
      </p>
      <ModelAdmin initialModels={listModelSummaries()} />
    </>
  )
}
