// The viewer's typed events: one detail type per event name (like Cornerstone's
// EventTypes and tldraw's TLEventMap), so emit and on are checked by the compiler.
import type { VoiRange } from './presets'
import type { EdgeLabels } from './orientation'
import type { Measurement } from './measurements'

export type ViewportId = 'main' | 'axial' | 'sagittal' | 'coronal'
/** One stack viewport ('stack') or three orthographic planes of one volume ('mpr'). */
export type ViewerLayout = 'stack' | 'mpr'

export interface ViewerEventMap {
  'image-changed': { viewportId: ViewportId; index: number; total: number; imageId: string; imagePosition: [number, number, number] | null }
  /** A new load replaced the previous one: what the viewer reported about that one (errors) no longer applies. */
  'load-started': { layout: ViewerLayout; total: number }
  'load-progress': { loaded: number; total: number; failed: number }
  'voi-changed': { viewportId: ViewportId; range: VoiRange }
  'camera-changed': { viewportId: ViewportId; labels: EdgeLabels; zoom: number }
  'measurements-changed': { measurements: Measurement[] }
  'cine-changed': { playing: boolean }
  /** The Click tool: a click for the interactive model at voxel `ijk` (column, row, slice) of the shown series; positive unless Shift (or the secondary button) was held. */
  'segment-click': { ijk: [number, number, number]; positive: boolean; viewportId: ViewportId }
  error: { message: string }
}

export type ViewerEventName = keyof ViewerEventMap
export type ViewerListener<K extends ViewerEventName> = (detail: ViewerEventMap[K]) => void

export class ViewerEvents {
  private readonly listeners = new Map<ViewerEventName, Set<(detail: never) => void>>()

  on<K extends ViewerEventName>(name: K, listener: ViewerListener<K>): () => void {
    const set = this.listeners.get(name) ?? new Set()
    set.add(listener as (detail: never) => void)
    this.listeners.set(name, set)
    return () => set.delete(listener as (detail: never) => void)
  }

  emit<K extends ViewerEventName>(name: K, detail: ViewerEventMap[K]): void {
    for (const listener of this.listeners.get(name) ?? []) (listener as ViewerListener<K>)(detail)
  }

  clear(): void {
    this.listeners.clear()
  }
}
