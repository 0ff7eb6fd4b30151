import 'server-only'
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { recordAudit } from '../audit/append.server'
import type { AuditActor, ModelAddedVia } from '../audit/events'
import type { Db } from '../db/client.server'
import { addModel, bundledManifest, listModels, type AddModelInput, type RegisteredModel } from './registry.server'

// Registering a model file is a software configuration change: it is audited, in the same
// breath as the write, with the bytes' SHA-256.

export async function registerModel(db: Db, input: AddModelInput, actor: AuditActor | null, via: ModelAddedVia, sourceIp?: string | null): Promise<RegisteredModel> {
  const model = addModel(input)
  const { id, file } = model.manifest.parallax
  await recordAudit(db, { type: 'model-added', model: { id, version: model.manifest.version, sha256: file.sha256 }, via }, { actor, sourceIp: sourceIp ?? null })
  return model
}

/**
 * For the demo and the tests: bundled models whose file is not ours to commit (the brain
 * model) are added from the shared data folder when it has them. Returns the ids added.
 */
export async function seedBundledModelFiles(db: Db, sharedDataDir: string): Promise<string[]> {
  const added: string[] = []
  for (const model of listModels()) {
    if (model.source !== 'bundled' || model.filePath) continue
    const { id, file } = model.manifest.parallax
    const candidate = path.join(sharedDataDir, 'models', id, file.name ?? 'model.onnx')
    if (!existsSync(candidate)) continue
    await registerModel(db, { manifest: bundledManifest(id), bytes: new Uint8Array(readFileSync(candidate)) }, null, 'demo-seed')
    added.push(id)
  }
  return added
}
