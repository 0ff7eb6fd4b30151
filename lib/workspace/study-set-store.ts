import { allSeries, type SeriesEntry, type StudySet } from '../dicom/study-set'
import type { DicomRejection } from '../dicom/types'
import { initialSliceIndex } from '../viewer/initial-slice'
import { Store } from './store'

// The studies the viewer page holds and which series is shown, in which layout. The viewer
// follows this store (so files chosen before the viewer has started are shown once it has),
// and the panels read the selected series from it.

export type Layout = 'stack' | 'mpr'

export interface StudySetState {
  set: StudySet | null
  /** Every series of the set with at least one instance, in display order. */
  series: SeriesEntry[]
  selected: SeriesEntry | null
  layout: Layout
  rejected: DicomRejection[]
  /** How many sets have been adopted (a test hook: each ingestion counts once). */
  ingestCount: number
}

export interface OpeningImage {
  entry: SeriesEntry
  /** Undefined for a series without images (the viewer says so instead of showing one). */
  imageId: string | undefined
}

/**
 * The series a set opens on and the image its stack shows first: the first series, on its
 * initial slice. The store selects this series on adoption, and the page asks for this
 * image before then (opening-image.client.ts), so both read the rule here. `series` are the
 * set's entries when the caller already holds them (the store selects one of its own).
 */
export function openingImage(set: StudySet, series: SeriesEntry[] = allSeries(set.result)): OpeningImage | null {
  const entry = series[0]
  if (!entry) return null
  return { entry, imageId: set.imageIdsBySeries.get(entry.series.seriesInstanceUid)?.[initialSliceIndex(entry.series)] }
}

export class StudySetStore extends Store<StudySetState> {
  constructor() {
    super({ set: null, series: [], selected: null, layout: 'stack', rejected: [], ingestCount: 0 })
  }

  /** Replaces the held studies with a newly opened set and selects the series it opens on. */
  adopt(set: StudySet): void {
    const series = allSeries(set.result)
    this.update((state) => ({
      set,
      series,
      selected: openingImage(set, series)?.entry ?? null,
      layout: 'stack',
      rejected: set.result.rejected,
      ingestCount: state.ingestCount + 1,
    }))
  }

  /** The same drop, revised (files refused once read whole): the shown series stays selected while it has images. */
  revise(set: StudySet): void {
    const series = allSeries(set.result)
    this.update((state) => {
      const selected = series.find((entry) => entry.series.seriesInstanceUid === state.selected?.series.seriesInstanceUid) ?? null
      return { set, series, selected: selected ?? openingImage(set, series)?.entry ?? null, layout: selected ? state.layout : 'stack', rejected: set.result.rejected }
    })
  }

  select(seriesInstanceUid: string, layout: Layout = 'stack'): void {
    const selected = this.snapshot.series.find((entry) => entry.series.seriesInstanceUid === seriesInstanceUid)
    if (selected) this.update({ selected, layout })
  }

  /** Image ids of a series of the set (empty for a series without images). */
  imageIdsOf(seriesInstanceUid: string): string[] {
    return this.snapshot.set?.imageIdsBySeries.get(seriesInstanceUid) ?? []
  }
}
