import { assessQuality, type PixelSummary, type QualityInstance } from '../quality/assess'
import type { QualityFinding } from '../quality/findings'
import { Store } from './store'

// The data-quality report of the study the viewer shows (lib/quality): the quality panel
// lists its findings, the model panel checks a model's requirements against the same
// instances. Filled in two steps by quality-reader.client.ts, off the render path: the
// headers of every image of the study first, then the pixel summaries of the series shown.

export interface QualityState {
  /** The study assessed; null when none is held or its files cannot be read here. */
  studyInstanceUid: string | null
  /** Every assessed instance of the study, by series. */
  bySeries: Map<string, QualityInstance[]>
  /** The series whose pixels have been summarised. */
  pixelsRead: Set<string>
  findings: QualityFinding[]
  /** What is still being read, or why the study is not assessed. */
  status: 'idle' | 'reading-headers' | 'headers-read' | 'reading-pixels' | 'done' | 'unavailable'
}

export class QualityStore extends Store<QualityState> {
  constructor() {
    super({ studyInstanceUid: null, bySeries: new Map(), pixelsRead: new Set(), findings: [], status: 'idle' })
  }

  /** A new study is being read (or none: `null`); what was held is dropped. */
  reset(studyInstanceUid: string | null, status: QualityState['status']): void {
    this.update({ studyInstanceUid, bySeries: new Map(), pixelsRead: new Set(), findings: [], status })
  }

  setStatus(status: QualityState['status']): void {
    this.update({ status })
  }

  /** The study's instances with their header attributes: the header checks are reported at once. */
  setInstances(items: readonly QualityInstance[]): void {
    const bySeries = new Map<string, QualityInstance[]>()
    for (const item of items) {
      const series = bySeries.get(item.instance.seriesInstanceUid)
      if (series) series.push(item)
      else bySeries.set(item.instance.seriesInstanceUid, [item])
    }
    this.update({ bySeries, pixelsRead: new Set(), findings: assessQuality(items), status: 'headers-read' })
  }

  /** Pixel summaries of one series' images, by SOP Instance UID: the pixel checks join the report. */
  setPixels(seriesInstanceUid: string, pixels: ReadonlyMap<string, PixelSummary>): void {
    const bySeries = new Map(this.snapshot.bySeries)
    const series = bySeries.get(seriesInstanceUid)
    if (!series) return
    bySeries.set(
      seriesInstanceUid,
      series.map((item) => {
        const summary = pixels.get(item.instance.sopInstanceUid)
        return summary ? { ...item, pixels: summary } : item
      }),
    )
    this.update({ bySeries, pixelsRead: new Set([...this.snapshot.pixelsRead, seriesInstanceUid]), findings: assessQuality([...bySeries.values()].flat()), status: 'done' })
  }
}
