import 'server-only'
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { recordAudit } from '../audit/append.server'
import type { AuditActor, ModelAddedVia } from '../audit/events'
import { advisoryLockKeys, withAdvisoryLock } from '../db/advisory-lock.server'
import type { Db } from '../db/client.server'
import { abandonStaged, commitStaged, listStaged, type PendingRecord } from './model-store.server'
import { bundledManifest, listModels, stageModel, type AddModelInput, type RegisteredModel } from './registry.server'

// Registering a model file is a software configuration change, and the file and its audit
// event are one unit: the file is staged (written, not listed), the event appended, and
// only then is the file moved into place. A crash between leaves a pending folder that
// recoverModelStore, at start, finishes or removes by whether its event committed.

// One registration at a time: two of the same id must not both pass the check for an
// existing model and both record an event, and an instance starting up must not take
// another's registration in progress for a crash's leftovers. In this process a promise
// chain; across processes sharing the store (app instances, the CLI) on PostgreSQL an
// advisory lock, which recovery takes too. (On SQLite one instance is the only mode; the
// CLI there is an operator's tool, run when adding models.)
const registrations = globalThis as unknown as { parallaxModelRegistrations?: Promise<unknown> }

function serialised<T>(db: Db, task: () => Promise<T>): Promise<T> {
  const result = (registrations.parallaxModelRegistrations ?? Promise.resolve()).then(() => withAdvisoryLock(db, advisoryLockKeys.models, task))
  registrations.parallaxModelRegistrations = result.catch(() => undefined)
  return result
}

/** Whether a model-added event for this pending folder's model and bytes was committed after the folder was staged. */
async function eventCommitted(db: Db, record: PendingRecord): Promise<boolean> {
  const events = await db.auditEvent.findMany({ where: { eventType: 'model-added', seq: { gt: record.afterSeq } }, select: { entities: true, details: true } })
  return events.some((event) => {
    const entities = JSON.parse(event.entities) as { type: string; id: string }[]
    const details = JSON.parse(event.details) as { sha256?: string }
    return details.sha256 === record.sha256 && entities.some((entity) => entity.type === 'model' && entity.id === record.id)
  })
}

export async function registerModel(db: Db, input: AddModelInput, actor: AuditActor | null, via: ModelAddedVia, sourceIp?: string | null): Promise<RegisteredModel> {
  return serialised(db, async () => {
    const head = await db.auditEvent.findFirst({ orderBy: { seq: 'desc' }, select: { seq: true } })
    const staged = stageModel(input, head?.seq ?? 0)
    const { id, file } = staged.manifest.parallax
    try {
      await recordAudit(db, { type: 'model-added', model: { id, version: staged.manifest.version, sha256: file.sha256 }, via }, { actor, sourceIp: sourceIp ?? null })
    } catch (error) {
      // Did the event commit all the same (an answer lost after the commit)? Finish the
      // unit or undo it; when that cannot be told now, recovery at start decides.
      const committed = await eventCommitted(db, staged.record).catch(() => null)
      if (committed === true) return staged.commit()
      if (committed === false) staged.abandon()
      throw error
    }
    return staged.commit()
  })
}

/**
 * At start, before serving: each pending folder left by a crash is moved into place when
 * its model-added event committed, removed otherwise. Returns the model ids of each.
 */
export function recoverModelStore(db: Db): Promise<{ completed: string[]; removed: string[] }> {
  return serialised(db, () => recoverStaged(db))
}

async function recoverStaged(db: Db): Promise<{ completed: string[]; removed: string[] }> {
  const completed: string[] = []
  const removed: string[] = []
  for (const { dir, record } of listStaged()) {
    if (record && (await eventCommitted(db, record))) {
      commitStaged(dir)
      completed.push(record.id)
    } else {
      abandonStaged(dir)
      removed.push(record?.id ?? path.basename(dir))
    }
  }
  return { completed, removed }
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
