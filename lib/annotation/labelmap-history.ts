// The bookkeeping of the document's transactions. The first write to a row of a layer
// keeps a copy of that row, so a write costs a comparison or two (a stroke across many
// slices copies rows, not whole slices), and the commit diffs the written span of each
// copy against the buffers into a sparse record (indices with before and after values)
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

/** A touched row of a layer: its labels before the transaction, and the span of voxel indices written. */
interface RowCopy {
  labels: Uint8Array
  low: number
  high: number
}

export class TransactionRecorder {
  private readonly copies = new Map<number, RowCopy>()
  private last: RowCopy | null = null
  private lastKey = -1
  private readonly rowsPerLayer: number

  constructor(
    private readonly layers: readonly Uint8Array[],
    /** Voxels per row (the grid's columns). */
    private readonly rowSize: number,
    /** Rows per slice. */
    private readonly rowsPerSlice: number,
    sliceCount: number,
  ) {
    this.rowsPerLayer = rowsPerSlice * sliceCount
  }

  /** Writes `value` at `index` of `layer` (both checked by the caller). */
  write(layer: number, index: number, value: number): void {
    const buffer = this.layers[layer]!
    if (buffer[index] === value) return
    const row = Math.floor(index / this.rowSize)
    const key = layer * this.rowsPerLayer + row
    if (key !== this.lastKey || !this.last) {
      let copy = this.copies.get(key)
      if (!copy) this.copies.set(key, (copy = { labels: buffer.slice(row * this.rowSize, (row + 1) * this.rowSize), low: index, high: index }))
      this.last = copy
      this.lastKey = key
    }
    if (index < this.last.low) this.last.low = index
    if (index > this.last.high) this.last.high = index
    buffer[index] = value
  }

  rollback(): void {
    for (const [key, copy] of this.copies) this.layers[Math.floor(key / this.rowsPerLayer)]!.set(copy.labels, (key % this.rowsPerLayer) * this.rowSize)
    this.forget()
  }

  /** The record of what changed, or null when nothing did. */
  commit(label: string): Transaction | null {
    const keys = Float64Array.from(this.copies.keys()).sort()
    const slices = new Set<number>()
    const changes: LayerChange[] = []
    // Keys are ordered by layer, then row: count each layer's changes, then fill its record.
    for (let first = 0; first < keys.length;) {
      const layer = Math.floor(keys[first]! / this.rowsPerLayer)
      let last = first
      while (last < keys.length && Math.floor(keys[last]! / this.rowsPerLayer) === layer) last += 1
      const buffer = this.layers[layer]!
      let count = 0
      for (let n = first; n < last; n++) {
        const { labels, low, high } = this.copies.get(keys[n]!)!
        const offset = (keys[n]! % this.rowsPerLayer) * this.rowSize
        for (let index = low; index <= high; index++) if (buffer[index] !== labels[index - offset]) count += 1
      }
      if (count > 0) {
        const change: LayerChange = { layer, indices: new Uint32Array(count), before: new Uint8Array(count), after: new Uint8Array(count) }
        let at = 0
        for (let n = first; n < last; n++) {
          const row = keys[n]! % this.rowsPerLayer
          const { labels, low, high } = this.copies.get(keys[n]!)!
          const offset = row * this.rowSize
          const start = at
          for (let index = low; index <= high; index++) {
            const now = buffer[index]!
            const before = labels[index - offset]!
            if (now === before) continue
            change.indices[at] = index
            change.before[at] = before
            change.after[at] = now
            at += 1
          }
          if (at > start) slices.add(Math.floor(row / this.rowsPerSlice))
        }
        changes.push(change)
      }
      first = last
    }
    this.forget()
    if (changes.length === 0) return null
    return { label, changes, slices: [...slices].sort((a, b) => a - b), layers: changes.map((change) => change.layer) }
  }

  private forget() {
    this.copies.clear()
    this.last = null
    this.lastKey = -1
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
