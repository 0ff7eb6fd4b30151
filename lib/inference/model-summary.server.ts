import 'server-only'
import { listModels, type RegisteredModel } from './registry.server'
import { modelFileUrl, type ModelSummary } from './model-summary'

export function toModelSummary(model: RegisteredModel): ModelSummary {
  return { manifest: model.manifest, source: model.source, fileUrl: model.filePath ? modelFileUrl(model.manifest) : null }
}

export function listModelSummaries(): ModelSummary[] {
  return listModels().map(toModelSummary)
}
