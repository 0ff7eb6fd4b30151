// Token buckets per key (a user, an address), in memory and bounded: each key may spend
// `capacity` at once and earns `refillPerSecond` back; at most `maxKeys` are kept, the
// least recently used forgotten first (a forgotten key starts full again, so forgetting
// only ever lets through what a full bucket would). A refusal says whether it is the first
// of its burst, so a caller can record one notice per burst instead of one per request; a
// burst ends when the key has been quiet long enough to fill its bucket again.

export interface TokenBucketPolicy {
  capacity: number
  refillPerSecond: number
  maxKeys: number
}

export type TokenVerdict = { ok: true } | { ok: false; retryAfterSeconds: number; firstRefusal: boolean }

interface Bucket {
  tokens: number
  at: number
  refusing: boolean
}

export class TokenBuckets {
  readonly #buckets = new Map<string, Bucket>()

  constructor(readonly policy: TokenBucketPolicy) {}

  get size(): number {
    return this.#buckets.size
  }

  take(key: string, nowMs = Date.now()): TokenVerdict {
    const { capacity, refillPerSecond, maxKeys } = this.policy
    const bucket = this.#buckets.get(key) ?? { tokens: capacity, at: nowMs, refusing: false }
    // Re-inserted on every use: the Map's first key is then the least recently used.
    this.#buckets.delete(key)
    this.#buckets.set(key, bucket)
    bucket.tokens = Math.min(capacity, bucket.tokens + (Math.max(0, nowMs - bucket.at) / 1000) * refillPerSecond)
    bucket.at = nowMs
    if (bucket.tokens >= capacity) bucket.refusing = false
    while (this.#buckets.size > maxKeys) this.#buckets.delete(this.#buckets.keys().next().value!)
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1
      return { ok: true }
    }
    const firstRefusal = !bucket.refusing
    bucket.refusing = true
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / refillPerSecond)), firstRefusal }
  }
}
