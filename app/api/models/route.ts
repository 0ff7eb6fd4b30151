import { roles } from '@/lib/auth/roles'
import { route } from '@/lib/auth/route.server'
import { listModels } from '@/lib/inference/registry.server'
import { modelFileUrl, type ModelSummary } from '@/lib/inference/model-summary'

export const GET = route({ roles }, async () =>
  Response.json(
    listModels().map((model): ModelSummary => ({ manifest: model.manifest, source: model.source, fileUrl: model.filePath ? modelFileUrl(model.manifest) : null })),
  ),
)
