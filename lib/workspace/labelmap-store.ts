import type { LabelmapDocument } from '../annotation/labelmap-document'
import { Store } from './store'

// The labelmap documents of the page, one per series at most: the model panel writes one
// from a run, the viewer renders the selected series' document, and the export, the
// proposals, the editing tools and DICOM SEG read and edit that same document.

export interface LabelmapEntry {
  document: LabelmapDocument
  /** The images of the series the document lies on, one per document slice. */
  imageIds: string[]
}

export interface LabelmapState {
  bySeries: ReadonlyMap<string, LabelmapEntry>
  visible: boolean
  /** Bumped on every edit of any document, so subscribers re-render on edits too. */
  revision: number
  /**
   * Per series, the model-made segments a user has changed (DICOM SEG's algorithm type:
   * SEMIAUTOMATIC rather than AUTOMATIC). Kept here, not on the document's segments, as it
   * describes the session's edits; undoing an edit does not unmark it.
   */
  edited: ReadonlyMap<string, ReadonlySet<number>>
  /** Per series, the segments not drawn. */
  hidden: ReadonlyMap<string, ReadonlySet<number>>
}

const none: ReadonlySet<number> = new Set()

export class LabelmapStore extends Store<LabelmapState> {
  private readonly unsubscribers = new Map<string, () => void>()

  constructor() {
    super({ bySeries: new Map(), visible: true, revision: 0, edited: new Map(), hidden: new Map() })
  }

  entryFor(seriesInstanceUid: string | null | undefined): LabelmapEntry | null {
    return (seriesInstanceUid && this.snapshot.bySeries.get(seriesInstanceUid)) || null
  }

  /** Makes `entry` the series' document, discarding the one it replaces. */
  put(entry: LabelmapEntry): void {
    const uid = entry.document.seriesInstanceUid
    this.release(uid)
    const offs = [entry.document.on('labels-changed', () => this.bump()), entry.document.on('segments-changed', () => this.bump())]
    this.unsubscribers.set(uid, () => offs.forEach((off) => off()))
    this.update((state) => ({
      bySeries: new Map(state.bySeries).set(uid, entry),
      visible: true,
      revision: state.revision + 1,
      edited: without(state.edited, uid),
      hidden: without(state.hidden, uid),
    }))
  }

  /** Records that a user changed these segments of the series' document (only model-made ones count). */
  markEdited(seriesInstanceUid: string, segmentNumbers: readonly number[]): void {
    const document = this.snapshot.bySeries.get(seriesInstanceUid)?.document
    const made = segmentNumbers.filter((number) => document?.segment(number)?.source.kind === 'model')
    const current = this.editedSegments(seriesInstanceUid)
    if (made.every((number) => current.has(number))) return
    this.update((state) => ({ edited: new Map(state.edited).set(seriesInstanceUid, new Set([...current, ...made])) }))
  }

  editedSegments(seriesInstanceUid: string): ReadonlySet<number> {
    return this.snapshot.edited.get(seriesInstanceUid) ?? none
  }

  setSegmentHidden(seriesInstanceUid: string, segmentNumber: number, hidden: boolean): void {
    const next = new Set(this.hiddenSegments(seriesInstanceUid))
    if (hidden) next.add(segmentNumber)
    else next.delete(segmentNumber)
    this.update((state) => ({ hidden: new Map(state.hidden).set(seriesInstanceUid, next) }))
  }

  hiddenSegments(seriesInstanceUid: string): ReadonlySet<number> {
    return this.snapshot.hidden.get(seriesInstanceUid) ?? none
  }

  remove(seriesInstanceUid: string): void {
    if (!this.snapshot.bySeries.has(seriesInstanceUid)) return
    this.release(seriesInstanceUid)
    this.update((state) => {
      const bySeries = new Map(state.bySeries)
      bySeries.delete(seriesInstanceUid)
      return { bySeries, revision: state.revision + 1, edited: without(state.edited, seriesInstanceUid), hidden: without(state.hidden, seriesInstanceUid) }
    })
  }

  setVisible(visible: boolean): void {
    this.update({ visible })
  }

  override destroy(): void {
    for (const uid of [...this.unsubscribers.keys()]) this.release(uid)
    super.destroy()
  }

  private bump() {
    this.update((state) => ({ revision: state.revision + 1 }))
  }

  private release(uid: string) {
    this.unsubscribers.get(uid)?.()
    this.unsubscribers.delete(uid)
    this.snapshot.bySeries.get(uid)?.document.dispose()
  }
}

function without<V>(map: ReadonlyMap<string, V>, key: string): ReadonlyMap<string, V> {
  if (!map.has(key)) return map
  const next = new Map(map)
  next.delete(key)
  return next
}
