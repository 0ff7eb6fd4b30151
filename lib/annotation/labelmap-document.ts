import { createEmitter, type Emitter } from '../events/emitter'

// A labelmap on one series' grid: one label (a segment number, 0 = none) per pixel of each
// image, in the series' display order. It is the only copy: the model writes it, the
// viewer renders its buffer directly (Cornerstone's labelmap images are views into it), and
// the export, the proposals and (next) DICOM SEG and agreement read it. Every change goes
// through a transaction that records what it overwrote, so it can be undone and redone,
// and announces the slices it touched.

export type Rgb = [number, number, number]

/** A coded concept (SNOMED CT for segment category and type). */
export interface Code {
  value: string
  scheme: string
  meaning: string
}

/** Who or what made a segment: a model (with its identity) or a person. */
export type SegmentSource = { kind: 'model'; id: string; version: string; sha256: string } | { kind: 'user'; userId: string }

export interface Segment {
  /** The label value in the buffer, 1..255. */
  number: number
  name: string
  color: Rgb
  category: Code | null
  type: Code | null
  source: SegmentSource
}

export interface LabelmapGrid {
  columns: number
  rows: number
  /** Images of the series, in display order. */
  slices: number
}

export type LabelmapChangeReason = 'edit' | 'undo' | 'redo'

export interface LabelmapEvents {
  /** Labels changed on these slices (sorted, unique); `version` is the document's new version. */
  'labels-changed': { version: number; slices: number[]; reason: LabelmapChangeReason; label: string }
  'segments-changed': { version: number; segments: readonly Segment[] }
  'history-changed': { canUndo: boolean; canRedo: boolean }
}

/** The writes of one transaction. */
export interface LabelmapEdit {
  /** Sets the label of one voxel (index into the whole buffer). */
  set(index: number, label: number): void
  /** Sets `label` wherever `mask` is non-zero on slice `slice` (mask: columns × rows). */
  paintSlice(slice: number, mask: ArrayLike<number>, label: number): void
  /** Replaces every label of slice `slice`. */
  writeSlice(slice: number, labels: ArrayLike<number>): void
}

interface Transaction {
  label: string
  indices: Uint32Array
  before: Uint8Array
  after: Uint8Array
  slices: number[]
}

export class LabelmapError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'LabelmapError'
  }
}

const historyLimit = 100

export class LabelmapDocument {
  readonly grid: LabelmapGrid
  readonly sliceSize: number
  private readonly buffer: Uint8Array
  private segmentList: Segment[]
  private versionNumber = 0
  private readonly undoStack: Transaction[] = []
  private readonly redoStack: Transaction[] = []
  private readonly events: Emitter<LabelmapEvents> = createEmitter<LabelmapEvents>()

  /**
   * @param seriesInstanceUid the series whose grid this is
   * @param labels initial labels (columns × rows × slices), copied once into the document
   */
  constructor(
    readonly seriesInstanceUid: string,
    grid: LabelmapGrid,
    segments: Segment[],
    labels?: Uint8Array,
  ) {
    if (![grid.columns, grid.rows, grid.slices].every((n) => Number.isInteger(n) && n > 0))
      throw new LabelmapError('A labelmap needs a positive whole number of columns, rows and slices.')
    this.grid = { ...grid }
    this.sliceSize = grid.columns * grid.rows
    const length = this.sliceSize * grid.slices
    if (labels && labels.length !== length) throw new LabelmapError(`The labels hold ${labels.length} values; the grid needs ${length}.`)
    this.buffer = labels ? Uint8Array.from(labels) : new Uint8Array(length)
    this.segmentList = validSegments(segments)
  }

  get version(): number {
    return this.versionNumber
  }

  get segments(): readonly Segment[] {
    return this.segmentList
  }

  get canUndo(): boolean {
    return this.undoStack.length > 0
  }

  get canRedo(): boolean {
    return this.redoStack.length > 0
  }

  /**
   * The labels, read-only by contract: the renderer shares this buffer instead of copying
   * it. Writes go through transact().
   */
  get labels(): Uint8Array {
    return this.buffer
  }

  /** The labels of one slice, a view (no copy). */
  slice(index: number): Uint8Array {
    this.checkSlice(index)
    return this.buffer.subarray(index * this.sliceSize, (index + 1) * this.sliceSize)
  }

  segment(number: number): Segment | undefined {
    return this.segmentList.find((segment) => segment.number === number)
  }

  /** Voxels per label value (index = label). */
  counts(): number[] {
    const counts = new Array<number>(256).fill(0)
    for (const value of this.buffer) counts[value]! += 1
    let last = counts.length - 1
    while (last > 0 && counts[last] === 0) last -= 1
    return counts.slice(0, last + 1)
  }

  on<K extends keyof LabelmapEvents>(name: K, listener: (detail: LabelmapEvents[K]) => void): () => void {
    return this.events.on(name, listener)
  }

  setSegments(segments: Segment[]): void {
    this.segmentList = validSegments(segments)
    this.versionNumber += 1
    this.events.emit('segments-changed', { version: this.versionNumber, segments: this.segmentList })
  }

  /**
   * Runs `write` as one undoable edit. Returns the slices it changed (none: nothing is
   * recorded and no event is sent).
   */
  transact(label: string, write: (edit: LabelmapEdit) => void): number[] {
    const changed = new Map<number, number>()
    const put = (index: number, value: number) => {
      if (!Number.isInteger(index) || index < 0 || index >= this.buffer.length) throw new LabelmapError(`Voxel ${index} is outside the labelmap.`)
      if (!Number.isInteger(value) || value < 0 || value > 255) throw new LabelmapError(`Label ${value} is not a segment number (0 to 255).`)
      const previous = this.buffer[index]!
      if (previous === value) return
      if (!changed.has(index)) changed.set(index, previous)
      this.buffer[index] = value
    }
    const edit: LabelmapEdit = {
      set: put,
      paintSlice: (slice, mask, value) => {
        this.checkSlice(slice)
        if (mask.length !== this.sliceSize) throw new LabelmapError(`A slice mask holds ${this.sliceSize} values, not ${mask.length}.`)
        const offset = slice * this.sliceSize
        for (let p = 0; p < mask.length; p++) if (mask[p]) put(offset + p, value)
      },
      writeSlice: (slice, values) => {
        this.checkSlice(slice)
        if (values.length !== this.sliceSize) throw new LabelmapError(`A slice holds ${this.sliceSize} values, not ${values.length}.`)
        const offset = slice * this.sliceSize
        for (let p = 0; p < values.length; p++) put(offset + p, values[p]!)
      },
    }
    try {
      write(edit)
    } catch (error) {
      // A failed edit leaves nothing half-written.
      for (const [index, previous] of changed) this.buffer[index] = previous
      throw error
    }
    if (changed.size === 0) return []
    const indices = Uint32Array.from(changed.keys()).sort()
    const transaction: Transaction = {
      label,
      indices,
      before: Uint8Array.from(indices, (index) => changed.get(index)!),
      after: Uint8Array.from(indices, (index) => this.buffer[index]!),
      slices: slicesOf(indices, this.sliceSize),
    }
    this.undoStack.push(transaction)
    if (this.undoStack.length > historyLimit) this.undoStack.shift()
    this.redoStack.length = 0
    this.announce(transaction, 'edit')
    return transaction.slices
  }

  undo(): boolean {
    const transaction = this.undoStack.pop()
    if (!transaction) return false
    this.apply(transaction.indices, transaction.before)
    this.redoStack.push(transaction)
    this.announce(transaction, 'undo')
    return true
  }

  redo(): boolean {
    const transaction = this.redoStack.pop()
    if (!transaction) return false
    this.apply(transaction.indices, transaction.after)
    this.undoStack.push(transaction)
    this.announce(transaction, 'redo')
    return true
  }

  /** Drops every listener (the document is being discarded). */
  dispose(): void {
    this.events.clear()
  }

  private apply(indices: Uint32Array, values: Uint8Array) {
    for (let i = 0; i < indices.length; i++) this.buffer[indices[i]!] = values[i]!
  }

  private announce(transaction: Transaction, reason: LabelmapChangeReason) {
    this.versionNumber += 1
    this.events.emit('labels-changed', { version: this.versionNumber, slices: transaction.slices, reason, label: transaction.label })
    this.events.emit('history-changed', { canUndo: this.canUndo, canRedo: this.canRedo })
  }

  private checkSlice(index: number) {
    if (!Number.isInteger(index) || index < 0 || index >= this.grid.slices) throw new LabelmapError(`Slice ${index} is outside the labelmap (0 to ${this.grid.slices - 1}).`)
  }
}

function slicesOf(sortedIndices: Uint32Array, sliceSize: number): number[] {
  const slices: number[] = []
  for (const index of sortedIndices) {
    const slice = Math.floor(index / sliceSize)
    if (slices.at(-1) !== slice) slices.push(slice)
  }
  return slices
}

function validSegments(segments: Segment[]): Segment[] {
  const seen = new Set<number>()
  for (const segment of segments) {
    if (!Number.isInteger(segment.number) || segment.number < 1 || segment.number > 255) throw new LabelmapError(`Segment number ${segment.number} is not 1 to 255.`)
    if (seen.has(segment.number)) throw new LabelmapError(`Segment number ${segment.number} is used twice.`)
    seen.add(segment.number)
  }
  return segments.map((segment) => ({ ...segment, color: [...segment.color] as Rgb }))
}
