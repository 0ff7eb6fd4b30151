'use client'
import { useEffect, useRef, useState } from 'react'
import type { ViewerEventMap } from './events'
import type { Measurement } from './measurements'
import type { EdgeLabels } from './orientation'
import type { VoiRange } from './presets'
import type { Viewer, ViewerElements } from './viewer.client'

export interface ViewerState {
  image: ViewerEventMap['image-changed'] | null
  progress: ViewerEventMap['load-progress'] | null
  voi: VoiRange | null
  labels: Partial<Record<string, EdgeLabels>>
  zoom: number
  measurements: Measurement[]
  cinePlaying: boolean
  /** What went wrong with the current load (or starting the viewer); a new load clears it. */
  error: string | null
}

const initialState: ViewerState = { image: null, progress: null, voi: null, labels: {}, zoom: 1, measurements: [], cinePlaying: false, error: null }

/**
 * Creates the viewer when its elements mount and destroys it on unmount (StrictMode
 * mounts twice: each mount gets its own viewer, and the first is destroyed).
 */
export function useViewer(elements: () => ViewerElements | null) {
  const [viewer, setViewer] = useState<Viewer | null>(null)
  const [state, setState] = useState<ViewerState>(initialState)
  const elementsRef = useRef(elements)
  elementsRef.current = elements

  useEffect(() => {
    let cancelled = false
    let created: Viewer | null = null
    const target = elementsRef.current()
    if (!target) return
    void import('./viewer.client')
      .then(({ createViewer }) => createViewer(target))
      .then((instance) => {
        if (cancelled) {
          instance.destroy()
          return
        }
        created = instance
        const patch = (update: Partial<ViewerState>) => setState((current) => ({ ...current, ...update }))
        instance.on('image-changed', (detail) => {
          if (detail.viewportId === 'main' || detail.viewportId === 'axial') patch({ image: detail })
        })
        instance.on('load-started', () => patch({ error: null }))
        instance.on('load-progress', (detail) => patch(detail.total === 0 ? { progress: detail, image: null, voi: null } : { progress: detail }))
        instance.on('voi-changed', (detail) => patch({ voi: detail.range }))
        instance.on('camera-changed', (detail) => setState((current) => ({ ...current, labels: { ...current.labels, [detail.viewportId]: detail.labels }, zoom: detail.zoom })))
        instance.on('measurements-changed', (detail) => patch({ measurements: detail.measurements }))
        instance.on('cine-changed', (detail) => patch({ cinePlaying: detail.playing }))
        instance.on('error', (detail) => patch({ error: detail.message }))
        setViewer(instance)
      })
      .catch((error: Error) => setState((current) => ({ ...current, error: `The viewer could not start: ${error.message}` })))
    // Cornerstone sizes its canvases when an element is enabled and only on resize():
    // resize whenever a viewport element changes size (the window, or a layout switch that
    // shows the MPR panes or the stack), once per frame.
    let frame = 0
    const observer = new ResizeObserver(() => {
      cancelAnimationFrame(frame)
      frame = requestAnimationFrame(() => created?.resize())
    })
    for (const element of Object.values(target)) observer.observe(element)
    return () => {
      cancelled = true
      observer.disconnect()
      cancelAnimationFrame(frame)
      created?.destroy()
      setViewer(null)
    }
  }, [])

  return { viewer, state, resetState: () => setState(initialState) }
}
