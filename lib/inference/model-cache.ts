import { assertModelIntegrity } from './model-integrity'

// The inference worker's model files: Cache Storage keeps a verified copy of each, so a model
// is downloaded once per browser; every copy is checked against the manifest's SHA-256 before use.

const modelCache = 'parallax-models-v1'

/** The model bytes, from Cache Storage when a verified copy is there, else downloaded and cached. */
export async function loadModel(fileUrl: string, sha256: string): Promise<Uint8Array> {
  const cache = 'caches' in globalThis ? await caches.open(modelCache) : null
  const cached = await cache?.match(fileUrl)
  if (cached) {
    const bytes = new Uint8Array(await cached.arrayBuffer())
    try {
      await assertModelIntegrity(bytes, sha256)
      return bytes
    } catch {
      // A damaged cache entry is dropped and the file fetched again.
      await cache?.delete(fileUrl)
    }
  }
  const response = await fetch(fileUrl, { credentials: 'same-origin' })
  if (!response.ok) throw new DownloadError(`Downloading the model failed (HTTP ${response.status}).`)
  const bytes = new Uint8Array(await response.arrayBuffer())
  await assertModelIntegrity(bytes, sha256)
  await cache?.put(fileUrl, new Response(bytes.slice(), { headers: { 'content-type': 'application/octet-stream' } }))
  return bytes
}

export class DownloadError extends Error {}
