// The bookkeeping of the document's transactions. The first write to a slice of a layer
// keeps a copy of that slice, so a write costs one comparison and the commit diffs the
// copies against the buffers into a sparse record (indices with before and after values)
// that undo and redo replay exactly. A failed edit restores the copies.

/** What one transaction changed on one layer. */
export interface LayerChange {
  layer: number
  /** Voxel indices within the layer, ascending. */
  indices: Uint32Array
  before: Uint8Array
  after: Uint8Array
}

export interface Transaction {
  label: string
  changes: LayerChange[]
  /** Slices touched on any layer (sorted, unique). */
  slices: number[]
  /** Layers touched (sorted, unique). */
  layers: number[]
}

export class TransactionRecorder {
  private readonly copies = new Map<number, Uint8Array>()
  private lastKey = -1

  constructor(
    private readonly layers: readonly Uint8Array[],
    private readonly sliceSize: number,
    private readonly sliceCount: number,
  ) {}

  /** Writes `value` at `index` of `layer` (both checked by the caller). */
  write(layer: number, index: number, value: number): void {
    const buffer = this.layers[layer]!
    if (buffer[index] === value) return
    const slice = Math.floor(index / this.sliceSize)
    const key = layer * this.sliceCount + slice
    if (key !== this.lastKey) {
      if (!this.copies.has(key)) this.copies.set(key, buffer.slice(slice * this.sliceSize, (slice + 1) * this.sliceSize))
      this.lastKey = key
    }
    buffer[index] = value
  }

  rollback(): void {
    for (const [key, copy] of this.copies) this.layers[Math.floor(key / this.sliceCount)]!.set(copy, (key % this.sliceCount) * this.sliceSize)
    this.copies.clear()
  }

  /** The record of what changed, or null when nothing did. */
  commit(label: string): Transaction | null {
    const byLayer = new Map<number, { indices: number[]; before: number[]; after: number[] }>()
    const slices = new Set<number>()
    for (const key of [...this.copies.keys()].sort((a, b) => a - b)) {
      const layer = Math.floor(key / this.sliceCount)
      const slice = key % this.sliceCount
      const copy = this.copies.get(key)!
      const buffer = this.layers[layer]!
      const offset = slice * this.sliceSize
      let entry = byLayer.get(layer)
      for (let p = 0; p < copy.length; p++) {
        const now = buffer[offset + p]!
        if (now === copy[p]) continue
        if (!entry) byLayer.set(layer, (entry = { indices: [], before: [], after: [] }))
        entry.indices.push(offset + p)
        entry.before.push(copy[p]!)
        entry.after.push(now)
        slices.add(slice)
      }
    }
    this.copies.clear()
    if (byLayer.size === 0) return null
    const changes = [...byLayer].map(([layer, entry]) => ({
      layer,
      indices: Uint32Array.from(entry.indices),
      before: Uint8Array.from(entry.before),
      after: Uint8Array.from(entry.after),
    }))
    return { label, changes, slices: [...slices].sort((a, b) => a - b), layers: changes.map((change) => change.layer) }
  }
}

/** Puts the transaction's `before` (undo) or `after` (redo) values back into the layers. */
export function replay(layers: readonly Uint8Array[], transaction: Transaction, values: 'before' | 'after'): void {
  for (const change of transaction.changes) {
    const buffer = layers[change.layer]!
    const source = change[values]
    for (let i = 0; i < change.indices.length; i++) buffer[change.indices[i]!] = source[i]!
  }
}
