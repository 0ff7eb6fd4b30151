import type { LabelmapDocument } from '../annotation/labelmap-document'
import { Store } from './store'

// The labelmap documents of the page, one per series at most: the model panel writes one
// from a run, the viewer renders the selected series' document, and the export, the
// proposals and (next) the editing tools and DICOM SEG read and edit that same document.

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
}

export class LabelmapStore extends Store<LabelmapState> {
  private readonly unsubscribers = new Map<string, () => void>()

  constructor() {
    super({ bySeries: new Map(), visible: true, revision: 0 })
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
    this.update((state) => ({ bySeries: new Map(state.bySeries).set(uid, entry), visible: true, revision: state.revision + 1 }))
  }

  remove(seriesInstanceUid: string): void {
    if (!this.snapshot.bySeries.has(seriesInstanceUid)) return
    this.release(seriesInstanceUid)
    this.update((state) => {
      const bySeries = new Map(state.bySeries)
      bySeries.delete(seriesInstanceUid)
      return { bySeries, revision: state.revision + 1 }
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
