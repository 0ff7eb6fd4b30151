import type { ExecutionProvider } from './inference-protocol'

// The sessions the inference worker keeps: one per model version (id and SHA-256) and
// execution provider, so a second run or an explanation of the same model starts at once
// instead of reloading and recompiling it. They stay until released: on request, when
// WebGPU failed in one, all of them when memory ran out, or the least recently used once
// more than `limit` are kept (each holds its model's weights and arena: a reader trying
// every model must not keep them all). Callers are serialised by the worker's job queue,
// so two requests never create the same session at once, and a job uses at most two (a
// provider measurement), fewer than the limit, so no session in use is evicted.

export interface SessionKey {
  modelId: string
  sha256: string
  provider: ExecutionProvider
}

export interface Releasable {
  release(): Promise<void>
}

const keyOf = ({ modelId, sha256, provider }: SessionKey) => `${modelId}@${sha256}/${provider}`

export class SessionPool<T extends Releasable> {
  // A Map iterates in insertion order: re-inserting on use keeps the least recently used first.
  private readonly entries = new Map<string, { key: SessionKey; session: T }>()

  constructor(private readonly limit = Number.POSITIVE_INFINITY) {}

  /** The session kept for `key`, or a new one from `create`, kept from then on (evicting the least recently used beyond the limit). */
  async acquire(key: SessionKey, create: () => Promise<T>): Promise<{ session: T; reused: boolean }> {
    const id = keyOf(key)
    const kept = this.entries.get(id)
    if (kept) {
      this.entries.delete(id)
      this.entries.set(id, kept)
      return { session: kept.session, reused: true }
    }
    const session = await create()
    this.entries.set(id, { key, session })
    const evicted = [...this.entries.keys()].slice(0, Math.max(0, this.entries.size - this.limit))
    if (evicted.length > 0) await this.release((other) => evicted.includes(keyOf(other)))
    return { session, reused: false }
  }

  /** Releases the sessions whose key matches (all by default); returns how many went. */
  async release(matches: (key: SessionKey) => boolean = () => true): Promise<number> {
    const leaving = [...this.entries].filter(([, entry]) => matches(entry.key))
    for (const [id] of leaving) this.entries.delete(id)
    // One release that fails must not keep the others: each is attempted, none is kept.
    await Promise.allSettled(leaving.map(([, entry]) => entry.session.release()))
    return leaving.length
  }
}

/** The session of exactly this key, for `release`. */
export const sameSession = (key: SessionKey) => (other: SessionKey) => keyOf(other) === keyOf(key)

/**
 * Runs `attempt` on `provider`; when that is WebGPU and the attempt fails with an error
 * `fallbackReason` gives a reason for (null: no point retrying, e.g. a cancel or a bad
 * download), it runs again on WASM. The one fallback path for runs and explanations.
 */
export async function withWasmFallback<T>(
  provider: ExecutionProvider,
  attempt: (provider: ExecutionProvider) => Promise<T>,
  fallbackReason: (error: unknown) => string | null,
): Promise<{ value: T; provider: ExecutionProvider; fallbackReason: string | null }> {
  try {
    return { value: await attempt(provider), provider, fallbackReason: null }
  } catch (error) {
    const reason = provider === 'webgpu' ? fallbackReason(error) : null
    if (reason === null) throw error
    return { value: await attempt('wasm'), provider: 'wasm', fallbackReason: reason }
  }
}
