import { createEmitter, type Emitter } from '../events/emitter'
import { replay, type Transaction, TransactionRecorder } from './labelmap-history'

// A labelmap on one series' grid: one label (a segment number, 0 = none) per pixel of each
// image, in the series' display order. It is the only copy: the model writes it, the
// viewer renders its buffer directly (Cornerstone's labelmap images are views into it), and
// the export, the proposals and (next) DICOM SEG and agreement read it. Every change goes
// through a transaction that records what it overwrote, so it can be undone and redone,
// and announces the slices it touched. Overlapping segments sit on separate layers (one
// label buffer each); `labels` is layer 0.

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
  /** The label value in the buffer, 1..255 (unique across layers). */
  number: number
  name: string
  color: Rgb
  category: Code | null
  type: Code | null
  source: SegmentSource
  /** The layer holding its labels (0-based). Segments on one layer never overlap; overlapping segments sit on different layers. */
  layer: number
}

/** A segment as callers give it: without a layer it goes on layer 0. */
export type SegmentInit = Omit<Segment, 'layer'> & { layer?: number }

export interface LabelmapGrid {
  columns: number
  rows: number
  /** Images of the series, in display order. */
  slices: number
}

export type LabelmapChangeReason = 'edit' | 'undo' | 'redo'

export interface LabelmapEvents {
  /** Labels changed on these slices of these layers (both sorted, unique); `version` is the document's new version. */
  'labels-changed': { version: number; slices: number[]; layers: number[]; reason: LabelmapChangeReason; label: string }
  'segments-changed': { version: number; segments: readonly Segment[] }
  'history-changed': { canUndo: boolean; canRedo: boolean }
}

/** The writes of one transaction. Voxel indices address one layer (columns × rows × slices). */
export interface LabelmapEdit {
  /** Sets the label of one voxel of layer 0 (index into the whole buffer). */
  set(index: number, label: number): void
  /** Sets `label` wherever `mask` is non-zero on slice `slice` of layer 0 (mask: columns × rows). */
  paintSlice(slice: number, mask: ArrayLike<number>, label: number): void
  /** Replaces every label of slice `slice` of layer 0. */
  writeSlice(slice: number, labels: ArrayLike<number>): void
  /** Gives voxel `index` to the segment, on the segment's layer (replacing whichever segment of that layer held it). */
  paint(index: number, segmentNumber: number): void
  /** Takes voxel `index` from the segment, if the segment holds it. */
  erase(index: number, segmentNumber: number): void
  /** Whether the segment holds voxel `index` (this transaction's writes included). */
  has(index: number, segmentNumber: number): boolean
}

export class LabelmapError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'LabelmapError'
  }
}

const historyLimit = 100
/** At most 255 segments, so 255 layers are always enough. */
const maxLayers = 255

export class LabelmapDocument {
  readonly grid: LabelmapGrid
  readonly sliceSize: number
  /** Voxels per layer (columns × rows × slices). */
  readonly voxels: number
  private readonly layers: Uint8Array[] = []
  private segmentList: Segment[] = []
  private readonly byNumber = new Map<number, Segment>()
  private versionNumber = 0
  private readonly undoStack: Transaction[] = []
  private readonly redoStack: Transaction[] = []
  private readonly events: Emitter<LabelmapEvents> = createEmitter<LabelmapEvents>()

  /**
   * @param seriesInstanceUid the series whose grid this is
   * @param labels initial labels (columns × rows × slices) of layer 0, or of layers 0, 1, …; copied once into the document
   */
  constructor(
    readonly seriesInstanceUid: string,
    grid: LabelmapGrid,
    segments: SegmentInit[],
    labels?: Uint8Array | readonly Uint8Array[],
  ) {
    if (![grid.columns, grid.rows, grid.slices].every((n) => Number.isInteger(n) && n > 0))
      throw new LabelmapError('A labelmap needs a positive whole number of columns, rows and slices.')
    this.grid = { ...grid }
    this.sliceSize = grid.columns * grid.rows
    this.voxels = this.sliceSize * grid.slices
    const initial = labels === undefined ? [] : labels instanceof Uint8Array ? [labels] : labels
    if (initial.length > maxLayers) throw new LabelmapError(`A labelmap holds at most ${maxLayers} layers, not ${initial.length}.`)
    for (const layer of initial) {
      if (layer.length !== this.voxels) throw new LabelmapError(`The labels hold ${layer.length} values; the grid needs ${this.voxels}.`)
      this.layers.push(Uint8Array.from(layer))
    }
    this.useSegments(segments)
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

  /** Layers in the document (at least 1). */
  get layerCount(): number {
    return this.layers.length
  }

  /**
   * The labels of layer 0, read-only by contract: the renderer shares this buffer instead
   * of copying it. Writes go through transact().
   */
  get labels(): Uint8Array {
    return this.layers[0]!
  }

  /** The labels of one layer, read-only by contract (no copy). */
  layerLabels(layer: number): Uint8Array {
    this.checkLayer(layer)
    return this.layers[layer]!
  }

  /** The labels of one slice of one layer, a view (no copy). */
  slice(index: number, layer = 0): Uint8Array {
    this.checkSlice(index)
    this.checkLayer(layer)
    return this.layers[layer]!.subarray(index * this.sliceSize, (index + 1) * this.sliceSize)
  }

  segment(number: number): Segment | undefined {
    return this.byNumber.get(number)
  }

  /** One segment as a binary volume (1 where the segment is, else 0; columns × rows × slices), a copy. */
  mask(segmentNumber: number): Uint8Array {
    const buffer = this.layers[this.segmentOrThrow(segmentNumber).layer]!
    const mask = new Uint8Array(this.voxels)
    for (let i = 0; i < buffer.length; i++) if (buffer[i] === segmentNumber) mask[i] = 1
    return mask
  }

  /** Voxels per label value over every layer (index = label; index 0 = voxels no layer labels). */
  counts(): number[] {
    // An indexed loop over typed counts: for…of over a whole series' labels took half a second.
    const tally = new Float64Array(256)
    for (const layer of this.layers) for (let i = 0; i < layer.length; i++) tally[layer[i]!]!++
    const counts = Array.from(tally)
    if (this.layers.length > 1) {
      let empty = 0
      voxels: for (let i = 0; i < this.voxels; i++) {
        for (const layer of this.layers) if (layer[i]) continue voxels
        empty += 1
      }
      counts[0] = empty
    }
    let last = counts.length - 1
    while (last > 0 && counts[last] === 0) last -= 1
    return counts.slice(0, last + 1)
  }

  on<K extends keyof LabelmapEvents>(name: K, listener: (detail: LabelmapEvents[K]) => void): () => void {
    return this.events.on(name, listener)
  }

  /** Replaces the segment list; a segment on a layer the document lacks allocates it (layers are never dropped). */
  setSegments(segments: SegmentInit[]): void {
    for (const segment of segments) {
      const current = this.byNumber.get(segment.number)
      // Its labels are on its layer: moving it would strand them there.
      if (current && current.layer !== (segment.layer ?? 0)) throw new LabelmapError(`Segment ${segment.number} is on layer ${current.layer} and cannot move to another layer.`)
    }
    this.useSegments(segments)
    this.versionNumber += 1
    this.events.emit('segments-changed', { version: this.versionNumber, segments: this.segmentList })
  }

  addSegment(segment: SegmentInit): void {
    this.setSegments([...this.segmentList, segment])
  }

  /**
   * Runs `write` as one undoable edit. Returns the slices it changed (none: nothing is
   * recorded and no event is sent).
   */
  transact(label: string, write: (edit: LabelmapEdit) => void): number[] {
    const recorder = new TransactionRecorder(this.layers, this.grid.columns, this.grid.rows, this.grid.slices)
    const checkIndex = (index: number) => {
      if (!Number.isInteger(index) || index < 0 || index >= this.voxels) throw new LabelmapError(`Voxel ${index} is outside the labelmap.`)
    }
    const put = (index: number, value: number) => {
      checkIndex(index)
      if (!Number.isInteger(value) || value < 0 || value > 255) throw new LabelmapError(`Label ${value} is not a segment number (0 to 255).`)
      recorder.write(0, index, value)
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
      paint: (index, segmentNumber) => {
        checkIndex(index)
        recorder.write(this.segmentOrThrow(segmentNumber).layer, index, segmentNumber)
      },
      erase: (index, segmentNumber) => {
        checkIndex(index)
        const layer = this.segmentOrThrow(segmentNumber).layer
        if (this.layers[layer]![index] === segmentNumber) recorder.write(layer, index, 0)
      },
      has: (index, segmentNumber) => {
        checkIndex(index)
        return this.layers[this.segmentOrThrow(segmentNumber).layer]![index] === segmentNumber
      },
    }
    try {
      write(edit)
    } catch (error) {
      // A failed edit leaves nothing half-written.
      recorder.rollback()
      throw error
    }
    const transaction = recorder.commit(label)
    if (!transaction) return []
    this.undoStack.push(transaction)
    if (this.undoStack.length > historyLimit) this.undoStack.shift()
    this.redoStack.length = 0
    this.announce(transaction, 'edit')
    return transaction.slices
  }

  undo(): boolean {
    const transaction = this.undoStack.pop()
    if (!transaction) return false
    replay(this.layers, transaction, 'before')
    this.redoStack.push(transaction)
    this.announce(transaction, 'undo')
    return true
  }

  redo(): boolean {
    const transaction = this.redoStack.pop()
    if (!transaction) return false
    replay(this.layers, transaction, 'after')
    this.undoStack.push(transaction)
    this.announce(transaction, 'redo')
    return true
  }

  /** Drops every listener (the document is being discarded). */
  dispose(): void {
    this.events.clear()
  }

  private segmentOrThrow(number: number): Segment {
    const segment = this.segment(number)
    if (!segment) throw new LabelmapError(`Segment ${number} is not in this labelmap.`)
    return segment
  }

  private useSegments(segments: SegmentInit[]) {
    this.segmentList = validSegments(segments)
    this.byNumber.clear()
    for (const segment of this.segmentList) this.byNumber.set(segment.number, segment)
    const needed = Math.max(1, ...this.segmentList.map((segment) => segment.layer + 1))
    while (this.layers.length < needed) this.layers.push(new Uint8Array(this.voxels))
  }

  private announce(transaction: Transaction, reason: LabelmapChangeReason) {
    this.versionNumber += 1
    this.events.emit('labels-changed', { version: this.versionNumber, slices: transaction.slices, layers: transaction.layers, reason, label: transaction.label })
    this.events.emit('history-changed', { canUndo: this.canUndo, canRedo: this.canRedo })
  }

  private checkSlice(index: number) {
    if (!Number.isInteger(index) || index < 0 || index >= this.grid.slices) throw new LabelmapError(`Slice ${index} is outside the labelmap (0 to ${this.grid.slices - 1}).`)
  }

  private checkLayer(layer: number) {
    if (!Number.isInteger(layer) || layer < 0 || layer >= this.layers.length) throw new LabelmapError(`Layer ${layer} is not in this labelmap (0 to ${this.layers.length - 1}).`)
  }
}

function validSegments(segments: SegmentInit[]): Segment[] {
  const seen = new Set<number>()
  for (const segment of segments) {
    if (!Number.isInteger(segment.number) || segment.number < 1 || segment.number > 255) throw new LabelmapError(`Segment number ${segment.number} is not 1 to 255.`)
    if (seen.has(segment.number)) throw new LabelmapError(`Segment number ${segment.number} is used twice.`)
    const layer = segment.layer ?? 0
    if (!Number.isInteger(layer) || layer < 0 || layer >= maxLayers) throw new LabelmapError(`Segment ${segment.number} is on layer ${layer}; layers are 0 to ${maxLayers - 1}.`)
    seen.add(segment.number)
  }
  return segments.map((segment) => ({ ...segment, color: [...segment.color] as Rgb, layer: segment.layer ?? 0 }))
}
