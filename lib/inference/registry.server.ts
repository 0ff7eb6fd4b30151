import 'server-only'
import { createHash } from 'node:crypto'
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import path from 'node:path'
import { AppError } from '../errors'
import { fetchOutbound, OutboundFetchError, parseOutboundAllowList } from '../security/outbound-fetch.server'
import { parseManifest, type ModelManifest } from './manifest'
import { abandonStaged, commitStaged, isPendingName, modelStoreDir, stageFiles, type PendingRecord } from './model-store.server'
import { OnnxFormatError, readModelIo } from './onnx-model-io'

// The model registry: manifests shipped in models/ (their ONNX file committed beside them,
// or added later into the store when it is not ours to commit) plus models an admin adds.
// Added models live in the store (model-store.server.ts), one folder per id with
// manifest.json and the ONNX file. Model files are not patient data: the app serves them,
// and the browser checks their SHA-256 before use.

export const maxModelBytes = 512 * 1024 * 1024

export interface RegisteredModel {
  manifest: ModelManifest
  source: 'bundled' | 'added'
  /** Absolute path of the ONNX file, or null while it has not been added. */
  filePath: string | null
}

const bundledDir = path.resolve(process.env.PARALLAX_BUNDLED_MODELS ?? 'models')

function fileName(manifest: ModelManifest): string {
  return manifest.parallax.file.name ?? 'model.onnx'
}

function readManifestFile(file: string): ModelManifest {
  try {
    return parseManifest(JSON.parse(readFileSync(file, 'utf8')))
  } catch (error) {
    throw new Error(`${file}: ${error instanceof Error ? error.message : String(error)}`)
  }
}

function manifestDirs(root: string): string[] {
  if (!existsSync(root)) return []
  return readdirSync(root, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && !isPendingName(entry.name) && existsSync(path.join(root, entry.name, 'manifest.json')))
    .map((entry) => path.join(root, entry.name))
    .sort()
}

/** Every registered model, bundled first; an added model may not reuse a bundled id. */
export function listModels(): RegisteredModel[] {
  const models = new Map<string, RegisteredModel>()
  for (const dir of manifestDirs(bundledDir)) {
    const manifest = readManifestFile(path.join(dir, 'manifest.json'))
    const shipped = path.join(dir, fileName(manifest))
    const stored = path.join(modelStoreDir(), manifest.parallax.id, fileName(manifest))
    const filePath = existsSync(shipped) ? shipped : existsSync(stored) ? stored : null
    models.set(manifest.parallax.id, { manifest, source: 'bundled', filePath })
  }
  for (const dir of manifestDirs(modelStoreDir())) {
    const manifest = readManifestFile(path.join(dir, 'manifest.json'))
    if (models.has(manifest.parallax.id)) continue
    const filePath = path.join(dir, fileName(manifest))
    models.set(manifest.parallax.id, { manifest, source: 'added', filePath: existsSync(filePath) ? filePath : null })
  }
  return [...models.values()]
}

export function findModel(id: string): RegisteredModel | undefined {
  return listModels().find((model) => model.manifest.parallax.id === id)
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex')
}

/**
 * Checks the ONNX bytes against the manifest: SHA-256, then the declared input and output
 * tensors. Bytes fetched from a URL are not described when their hash differs: the answer
 * would tell the admin something about a file they never had (the tensor names are read
 * only once the hash matched, so from the file the manifest already describes).
 */
export function verifyModelBytes(manifest: ModelManifest, bytes: Uint8Array, { fetched = false } = {}): void {
  const actual = sha256Hex(bytes)
  if (actual !== manifest.parallax.file.sha256) {
    throw new AppError(
      'bad_request',
      'models',
      fetched
        ? `The downloaded file's SHA-256 is not the one the manifest says (${manifest.parallax.file.sha256}): refused.`
        : `The model file's SHA-256 is ${actual}, but the manifest says ${manifest.parallax.file.sha256}: refused.`,
    )
  }
  let io
  try {
    io = readModelIo(bytes)
  } catch (error) {
    if (error instanceof OnnxFormatError) throw new AppError('bad_request', 'models', `The model file is not a readable ONNX model: ${error.message}`)
    throw error
  }
  const { input, output, explainability } = manifest.parallax
  const problems: string[] = []
  if (!io.inputs.some((tensor) => tensor.name === input)) problems.push(`input "${input}" (the model has ${io.inputs.map((t) => `"${t.name}"`).join(', ')})`)
  for (const name of [output, explainability?.output].filter((name): name is string => !!name)) {
    if (!io.outputs.some((tensor) => tensor.name === name)) problems.push(`output "${name}" (the model has ${io.outputs.map((t) => `"${t.name}"`).join(', ')})`)
  }
  if (problems.length) throw new AppError('bad_request', 'models', `The manifest names tensors the model does not have: ${problems.join('; ')}.`)
}

export interface AddModelInput {
  manifest: unknown
  bytes: Uint8Array
  /** Downloaded from a URL (fetchModelBytes): refusals do not describe the bytes. */
  fetched?: boolean
}

/** A model checked and written to a pending folder: listed only once committed (after its audit event), or gone when abandoned. */
export interface StagedModel {
  manifest: ModelManifest
  record: PendingRecord
  commit(): RegisteredModel
  abandon(): void
}

/**
 * Stages a model: validates the manifest, checks the file against it and writes both into
 * a pending folder of the store, which nothing lists until `commit` moves them into place
 * (after the audit event; see registerModel). A bundled manifest may be given for its id to
 * add the file it ships without. `afterSeq` is the audit head before the event.
 */
export function stageModel({ manifest: rawManifest, bytes, fetched }: AddModelInput, afterSeq: number): StagedModel {
  let manifest: ModelManifest
  try {
    manifest = parseManifest(rawManifest)
  } catch (error) {
    throw new AppError('bad_request', 'models', error instanceof Error ? error.message : String(error))
  }
  if (bytes.byteLength > maxModelBytes) throw new AppError('payload_too_large', 'models', `Model files are limited to ${maxModelBytes / 1024 / 1024} MiB.`)
  verifyModelBytes(manifest, bytes, { fetched })
  const id = manifest.parallax.id
  const existing = findModel(id)
  if (existing?.source === 'bundled' && JSON.stringify(existing.manifest) !== JSON.stringify(manifest)) {
    throw new AppError('conflict', 'models', `"${id}" is a bundled model: add its file with its own manifest (models/${id}/manifest.json), or choose another id.`)
  }
  if (existing?.filePath) throw new AppError('conflict', 'models', `Model "${id}" is already registered with its file.`)
  const record = { id, sha256: manifest.parallax.file.sha256, afterSeq }
  // The file before the manifest: an added model is listed once its manifest is in place.
  const files = [{ name: fileName(manifest), bytes }, ...(existing?.source === 'bundled' ? [] : [{ name: 'manifest.json', bytes: JSON.stringify(rawManifest, null, 2) + '\n' }])]
  const dir = stageFiles(record, files)
  return {
    manifest,
    record: { ...record, files: files.map((file) => file.name) },
    commit: () => {
      commitStaged(dir)
      return findModel(id)!
    },
    abandon: () => abandonStaged(dir),
  }
}

/**
 * Downloads a model file from a URL for `registerModel` (staging checks its SHA-256), through
 * fetchOutbound: non-public addresses only when PARALLAX_MODEL_URL_ALLOW names them, same-host
 * redirects only, timeouts, the size cap.
 */
export async function fetchModelBytes(url: string): Promise<Uint8Array> {
  const allow = parseOutboundAllowList(process.env.PARALLAX_MODEL_URL_ALLOW, 'PARALLAX_MODEL_URL_ALLOW')
  try {
    return await fetchOutbound(url, { maxBytes: maxModelBytes, allow })
  } catch (error) {
    if (!(error instanceof OutboundFetchError)) throw error
    if (error.kind === 'too-large') throw new AppError('payload_too_large', 'models', `Model files are limited to ${maxModelBytes / 1024 / 1024} MiB.`)
    throw new AppError('bad_request', 'models', `The model could not be downloaded: ${error.message}`)
  }
}

/** The manifest shipped in models/<id>/, for adding its file from the CLI. */
export function bundledManifest(id: string): unknown {
  const file = path.join(bundledDir, id, 'manifest.json')
  if (!existsSync(file)) throw new AppError('not_found', 'models', `No bundled model "${id}" (looked for ${file}).`)
  return JSON.parse(readFileSync(file, 'utf8'))
}
