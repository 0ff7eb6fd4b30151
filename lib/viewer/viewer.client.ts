import 'client-only'
import { Enums, RenderingEngine, cache, eventTarget, imageLoader, metaData, setVolumesForViewports, utilities, volumeLoader, type Types } from '@cornerstonejs/core'
import { Enums as ToolEnums, ToolGroupManager, annotation, utilities as toolUtilities } from '@cornerstonejs/tools'
import { initCornerstone } from './cornerstone.client'
import { ViewerEvents, type ViewerEventMap, type ViewerEventName, type ViewerLayout, type ViewerListener, type ViewportId } from './events'
import { collectMeasurements } from './measurements.client'
import { modalityPixels, pixelChecksumOf, type PixelChecksum } from './image-data.client'
import { createToolGroup, setPrimaryTool } from './tool-groups.client'
import { defaultTool, type ToolId } from './tool-registry'
import { edgeLabels } from './orientation'
import { presetToVoiRange, type VoiRange } from './presets'
import { HeatmapLayer, type HeatmapOverlay } from './heatmap-overlay.client'
import { LabelmapLayer, type LabelmapBinding } from './labelmap-layer.client'
import type { SegmentEditor } from './segment-gestures'
import { bindSegmentTools, voxelFrameFor, type ToolSession } from './segment-tools.client'
import type { VoxelFrame } from './voxel-frame'
import type { Vec3 } from '../dicom/geometry'

// One viewer per page: a rendering engine with either a single stack viewport ('stack')
// or three orthographic viewports of one volume ('mpr'). createViewer() owns every
// Cornerstone object it makes and releases them all in destroy().

export type { ViewerLayout }

export interface ViewerElements {
  main: HTMLDivElement
  axial: HTMLDivElement
  sagittal: HTMLDivElement
  coronal: HTMLDivElement
}

export interface Viewer {
  readonly layout: ViewerLayout
  showStack(imageIds: string[], initialIndex?: number): Promise<void>
  showMpr(imageIds: string[]): Promise<void>
  /** Empties the viewports (for a series with nothing to display). */
  clear(): void
  /** Gives the primary mouse button to a tool (the default tool where the layout lacks it). */
  setPrimaryTool(tool: ToolId): void
  setVoiRange(range: VoiRange): void
  applyWindow(width: number, center: number): void
  rotate(degrees: number): void
  flip(axis: 'horizontal' | 'vertical'): void
  invert(): void
  zoomBy(factor: number): void
  reset(): void
  scrollBy(delta: number): void
  scrollTo(index: number): void
  toggleCine(framesPerSecond?: number): void
  clearMeasurements(): void
  /** Columns and rows of a loaded image. */
  imageSize(imageId: string): { columns: number; rows: number }
  /** Decoded modality values (rescale applied) of each image, loading any not yet decoded. */
  imagePixels(imageIds: string[]): Promise<Float32Array[]>
  /** Renders a labelmap document on the series in every viewport of the current layout (null removes it). */
  showLabelmap(binding: LabelmapBinding | null): Promise<void>
  setLabelmapVisible(visible: boolean): void
  /** Segments of the shown labelmap not to draw. */
  setHiddenSegments(numbers: readonly number[]): void
  /** What the editing tools (Brush, Eraser…) write to; null: they ignore the mouse. */
  setSegmentEditor(editor: SegmentEditor | null): void
  /** The voxel grid of a loaded series (column, row, slice axes and spacing), or null without full geometry. */
  voxelFrame(imageIds: string[], grid: { columns: number; rows: number }): VoxelFrame | null
  /** Draws a heatmap over one image of the stack (null removes it). */
  showHeatmap(overlay: HeatmapOverlay | null): void
  setHeatmapVisible(visible: boolean): void
  /** SHA-256 of the decoded pixel data of the image in the main viewport, with its layout. */
  pixelChecksum(): Promise<PixelChecksum | null>
  resize(): void
  /** Resolves once the series asked for (in this task or an earlier one) is loaded: work that can wait (the quality report) waits for it. */
  whenLoaded(): Promise<void>
  on<K extends ViewerEventName>(name: K, listener: ViewerListener<K>): () => void
  destroy(): void
}

const stackToolGroupId = 'parallax-stack-tools'
const mprToolGroupId = 'parallax-mpr-tools'
const mprViewports: { id: Exclude<ViewportId, 'main'>; orientation: Enums.OrientationAxis }[] = [
  { id: 'axial', orientation: Enums.OrientationAxis.AXIAL },
  { id: 'sagittal', orientation: Enums.OrientationAxis.SAGITTAL },
  { id: 'coronal', orientation: Enums.OrientationAxis.CORONAL },
]
const background: Types.Point3 = [0, 0, 0]
const PROGRESS_INTERVAL_MS = 100

let viewerCount = 0

export async function createViewer(elements: ViewerElements): Promise<Viewer> {
  await initCornerstone()
  viewerCount += 1
  const engine = new RenderingEngine(`parallax-engine-${viewerCount}`)
  const events = new ViewerEvents()
  const cleanups: (() => void)[] = []
  let layout: ViewerLayout = 'stack'
  let primaryTool: ToolId = defaultTool.id
  let cinePlaying = false
  let destroyed = false
  let loadGeneration = 0
  /** The latest series load, finished or not. */
  let settled: Promise<void> = Promise.resolve()
  const heatmap = new HeatmapLayer(elements.main)
  const labelmap = new LabelmapLayer(engine, () => activeViewportIds())
  const toolSession: ToolSession = { editor: null, emit: (name, detail) => events.emit(name, detail) }
  const unbindSegmentTools = bindSegmentTools(toolSession)
  const renderHeatmap = () => heatmap.render(layout === 'stack' ? (viewport('main') as Types.IStackViewport | undefined) : undefined)

  const throwIfDestroyed = () => {
    if (destroyed) throw new Error('viewer used after destroy()')
  }

  const elementFor = (id: ViewportId) => elements[id]
  const activeViewportIds = (): ViewportId[] => (layout === 'stack' ? ['main'] : mprViewports.map((v) => v.id))
  const viewport = (id: ViewportId) => engine.getViewport(id) as Types.IStackViewport | Types.IVolumeViewport | undefined

  const listen = <T extends Event>(target: EventTarget, name: string, handler: (event: T) => void) => {
    target.addEventListener(name, handler as EventListener)
    cleanups.push(() => target.removeEventListener(name, handler as EventListener))
  }

  listen(elements.main, Enums.Events.IMAGE_RENDERED, renderHeatmap)

  function emitCamera(id: ViewportId) {
    const vp = viewport(id)
    if (!vp) return
    const camera = vp.getCamera()
    if (!camera.viewUp || !camera.viewPlaneNormal) return
    events.emit('camera-changed', { viewportId: id, labels: edgeLabels(camera.viewUp as Vec3, camera.viewPlaneNormal as Vec3), zoom: vp.getZoom() })
  }

  function emitImage(id: ViewportId) {
    const vp = viewport(id)
    if (!vp) return
    if (id === 'main') {
      const stack = vp as Types.IStackViewport
      const imageIds = stack.getImageIds()
      const index = stack.getCurrentImageIdIndex()
      const imageId = imageIds[index] ?? ''
      const plane = metaData.get('imagePlaneModule', imageId) as { imagePositionPatient?: Vec3 } | undefined
      events.emit('image-changed', { viewportId: id, index, total: imageIds.length, imageId, imagePosition: plane?.imagePositionPatient ?? null })
    } else {
      const info = utilities.getImageSliceDataForVolumeViewport(vp as Types.IVolumeViewport)
      if (info) events.emit('image-changed', { viewportId: id, index: info.imageIndex, total: info.numberOfSlices, imageId: '', imagePosition: null })
    }
  }

  for (const id of ['main', 'axial', 'sagittal', 'coronal'] as const) {
    const element = elementFor(id)
    listen(element, Enums.Events.STACK_NEW_IMAGE, () => emitImage(id))
    listen(element, Enums.Events.VOLUME_NEW_IMAGE, () => emitImage(id))
    listen<CustomEvent<{ range: VoiRange }>>(element, Enums.Events.VOI_MODIFIED, (event) =>
      events.emit('voi-changed', { viewportId: id, range: { lower: event.detail.range.lower, upper: event.detail.range.upper } }),
    )
    listen(element, Enums.Events.CAMERA_MODIFIED, () => emitCamera(id))
    // The browser's context menu would hide the right-drag zoom.
    listen(element, 'contextmenu', (event) => event.preventDefault())
  }

  const emitMeasurements = () => events.emit('measurements-changed', { measurements: collectMeasurements() })
  for (const name of [ToolEnums.Events.ANNOTATION_COMPLETED, ToolEnums.Events.ANNOTATION_MODIFIED, ToolEnums.Events.ANNOTATION_REMOVED]) {
    listen(eventTarget, name, emitMeasurements)
  }

  function disableAll() {
    for (const id of ['main', 'axial', 'sagittal', 'coronal'] as const) {
      if (engine.getViewport(id)) engine.disableElement(id)
    }
    ToolGroupManager.destroyToolGroup(stackToolGroupId)
    ToolGroupManager.destroyToolGroup(mprToolGroupId)
  }

  /** Loads every image of the series into the cache, reporting progress as they arrive; from `nearIndex` outward, since Cornerstone's decode workers take images in the order asked. */
  async function prefetch(imageIds: string[], generation: number, nearIndex = 0) {
    let loaded = 0
    let failed = 0
    let firstFailure = ''
    let reportTimer: ReturnType<typeof setTimeout> | undefined
    const emitProgress = () => {
      reportTimer = undefined
      if (generation === loadGeneration) events.emit('load-progress', { loaded, total: imageIds.length, failed })
    }
    // Every subscriber re-renders on progress: once per image, that was a render every few
    // milliseconds on the thread that also hands the decodes out. The counts are shown at
    // most every PROGRESS_INTERVAL_MS, and the last one at once.
    const report = () => {
      if (loaded + failed === imageIds.length) {
        clearTimeout(reportTimer)
        emitProgress()
      } else reportTimer ??= setTimeout(emitProgress, PROGRESS_INTERVAL_MS)
    }
    emitProgress()
    const order = imageIds.map((imageId, index) => ({ imageId, distance: Math.abs(index - nearIndex) })).sort((a, b) => a.distance - b.distance)
    await Promise.all(
      order.map(({ imageId }) =>
        imageLoader.loadAndCacheImage(imageId).then(
          () => {
            loaded += 1
            report()
          },
          (error: unknown) => {
            failed += 1
            // The guarded loader (guarded-loader.client.ts) names the file and what was wrong.
            firstFailure ||= error instanceof Error ? ` (${error.message})` : ''
            report()
          },
        ),
      ),
    )
    if (failed > 0 && generation === loadGeneration) events.emit('error', { message: `${failed} of ${imageIds.length} images could not be decoded.${firstFailure}` })
  }

  const viewer: Viewer = {
    get layout() {
      return layout
    },

    async showStack(imageIds, initialIndex = 0) {
      throwIfDestroyed()
      const generation = ++loadGeneration
      events.emit('load-started', { layout: 'stack', total: imageIds.length })
      disableAll()
      layout = 'stack'
      engine.enableElement({ viewportId: 'main', type: Enums.ViewportType.STACK, element: elements.main, defaultOptions: { background } })
      const group = createToolGroup(stackToolGroupId, 'stack')
      group.addViewport('main', engine.id)
      viewer.setPrimaryTool(primaryTool)
      const stack = engine.getViewport('main') as Types.IStackViewport
      const firstIndex = Math.min(Math.max(0, initialIndex), imageIds.length - 1)
      const loading = prefetch(imageIds, generation, firstIndex)
      settled = loading
      // User Timing marks: what `npm run bench` (and the browser's profiler) read. The first
      // image counts once drawn (render() only asks for the next animation frame).
      elements.main.addEventListener(
        Enums.Events.IMAGE_RENDERED,
        () => {
          if (generation === loadGeneration) performance.mark('parallax:first-image', { detail: { images: imageIds.length } })
        },
        { once: true },
      )
      await stack.setStack(imageIds, firstIndex)
      stack.render()
      emitImage('main')
      emitCamera('main')
      await labelmap.attach(imageIds)
      await loading
      if (generation === loadGeneration) performance.mark('parallax:series-ready', { detail: { images: imageIds.length } })
    },

    async showMpr(imageIds) {
      throwIfDestroyed()
      const generation = ++loadGeneration
      events.emit('load-started', { layout: 'mpr', total: imageIds.length })
      // Volumes need every slice's geometry up front: load the images first (they are
      // usually cached already from the stack view).
      const loading = prefetch(imageIds, generation)
      settled = loading
      await loading
      if (generation !== loadGeneration) return
      disableAll()
      layout = 'mpr'
      const volumeId = `cornerstoneStreamingImageVolume:parallax-${imageIds.length}-${imageIds[0]}`
      const volume = cache.getVolume(volumeId) ?? (await volumeLoader.createAndCacheVolume(volumeId, { imageIds }))
      for (const { id, orientation } of mprViewports) {
        engine.enableElement({ viewportId: id, type: Enums.ViewportType.ORTHOGRAPHIC, element: elementFor(id), defaultOptions: { orientation, background } })
      }
      const group = createToolGroup(mprToolGroupId, 'mpr')
      for (const { id } of mprViewports) group.addViewport(id, engine.id)
      viewer.setPrimaryTool(primaryTool)
      ;(volume as unknown as { load?: () => void }).load?.()
      await setVolumesForViewports(
        engine,
        [{ volumeId }],
        mprViewports.map((v) => v.id),
      )
      engine.renderViewports(mprViewports.map((v) => v.id))
      for (const { id } of mprViewports) {
        emitImage(id)
        emitCamera(id)
      }
      await labelmap.attach(imageIds)
    },

    clear() {
      throwIfDestroyed()
      loadGeneration += 1
      events.emit('load-started', { layout: 'stack', total: 0 })
      disableAll()
      layout = 'stack'
      events.emit('load-progress', { loaded: 0, total: 0, failed: 0 })
    },

    setPrimaryTool(tool) {
      throwIfDestroyed()
      // Remembered as chosen: a tool the stack lacks (Crosshairs) comes back with the next MPR.
      primaryTool = tool
      const group = ToolGroupManager.getToolGroup(layout === 'stack' ? stackToolGroupId : mprToolGroupId)
      if (group) setPrimaryTool(group, tool, layout)
    },

    setVoiRange(range) {
      throwIfDestroyed()
      for (const id of activeViewportIds()) {
        const vp = viewport(id)
        if (!vp) continue
        vp.setProperties({ voiRange: range })
        vp.render()
      }
    },

    applyWindow(width, center) {
      viewer.setVoiRange(presetToVoiRange({ width, center }))
    },

    rotate(degrees) {
      throwIfDestroyed()
      const vp = viewport(layout === 'stack' ? 'main' : 'axial')
      if (!vp) return
      const rotation = ((vp.getViewPresentation().rotation ?? 0) + degrees + 360) % 360
      vp.setViewPresentation({ rotation })
      vp.render()
    },

    flip(axis) {
      throwIfDestroyed()
      const vp = viewport(layout === 'stack' ? 'main' : 'axial')
      if (!vp) return
      const camera = vp.getCamera()
      vp.setCamera(axis === 'horizontal' ? { flipHorizontal: !camera.flipHorizontal } : { flipVertical: !camera.flipVertical })
      vp.render()
    },

    invert() {
      throwIfDestroyed()
      for (const id of activeViewportIds()) {
        const vp = viewport(id)
        if (!vp) continue
        vp.setProperties({ invert: !vp.getProperties()?.invert })
        vp.render()
      }
    },

    zoomBy(factor) {
      throwIfDestroyed()
      for (const id of activeViewportIds()) {
        const vp = viewport(id)
        if (!vp) continue
        vp.setZoom(vp.getZoom() * factor)
        vp.render()
      }
    },

    reset() {
      throwIfDestroyed()
      for (const id of activeViewportIds()) {
        const vp = viewport(id)
        if (!vp) continue
        vp.resetProperties()
        vp.resetCamera()
        vp.render()
        emitCamera(id)
      }
    },

    scrollBy(delta) {
      throwIfDestroyed()
      const vp = viewport(layout === 'stack' ? 'main' : 'axial')
      if (vp) utilities.scroll(vp as unknown as Types.IViewport, { delta })
    },

    scrollTo(index) {
      throwIfDestroyed()
      const element = elementFor(layout === 'stack' ? 'main' : 'axial')
      void utilities.jumpToSlice(element, { imageIndex: index })
    },

    toggleCine(framesPerSecond = 15) {
      throwIfDestroyed()
      const element = elementFor(layout === 'stack' ? 'main' : 'axial')
      if (cinePlaying) toolUtilities.cine.stopClip(element)
      else toolUtilities.cine.playClip(element, { framesPerSecond, loop: true })
      cinePlaying = !cinePlaying
      events.emit('cine-changed', { playing: cinePlaying })
    },

    clearMeasurements() {
      throwIfDestroyed()
      annotation.state.removeAllAnnotations()
      engine.render()
      emitMeasurements()
    },

    async pixelChecksum() {
      throwIfDestroyed()
      const imageId = (viewport('main') as Types.IStackViewport | undefined)?.getCurrentImageId()
      return imageId ? pixelChecksumOf(imageId) : null
    },

    imageSize(imageId) {
      const image = cache.getImage(imageId)
      if (!image) throw new Error('The image is not loaded')
      return { columns: image.columns, rows: image.rows }
    },

    async imagePixels(imageIds) {
      throwIfDestroyed()
      return Promise.all(imageIds.map(modalityPixels))
    },

    async showLabelmap(binding) {
      throwIfDestroyed()
      await labelmap.show(binding)
      if (!binding) return
      // Drawn on the next frame: the mark the model run's stage table ends on (workspace/run-marks.ts).
      await new Promise((resolve) => requestAnimationFrame(resolve))
      performance.mark('parallax:labelmap-shown', { detail: { slices: binding.imageIds.length } })
    },

    setLabelmapVisible(visible) {
      labelmap.setVisible(visible)
    },

    setHiddenSegments(numbers) {
      labelmap.setHiddenSegments(numbers)
    },

    setSegmentEditor(editor) {
      throwIfDestroyed()
      toolSession.editor = editor
    },

    voxelFrame(imageIds, grid) {
      return voxelFrameFor(imageIds, grid)
    },

    showHeatmap(overlay) {
      heatmap.set(overlay)
      renderHeatmap()
      // Drawn on the next frame: the mark an explanation's timing ends on (workspace/run-marks.ts).
      if (overlay) requestAnimationFrame(() => performance.mark('parallax:heatmap-shown'))
    },

    setHeatmapVisible(visible) {
      heatmap.setVisible(visible)
      renderHeatmap()
    },

    resize() {
      if (!destroyed) engine.resize(true, true)
    },

    async whenLoaded() {
      // A macrotask first: the page asks for a series in an effect that may run after the caller's.
      await new Promise((resolve) => setTimeout(resolve, 0))
      await settled
    },

    on(name, listener) {
      return events.on(name, listener)
    },

    destroy() {
      if (destroyed) return
      destroyed = true
      if (cinePlaying) toolUtilities.cine.stopClip(elementFor(layout === 'stack' ? 'main' : 'axial'))
      for (const cleanup of cleanups.splice(0)) cleanup()
      annotation.state.removeAllAnnotations()
      labelmap.remove()
      unbindSegmentTools()
      heatmap.destroy()
      disableAll()
      engine.destroy()
      events.clear()
    },
  }
  return viewer
}

export type { LabelmapBinding, PixelChecksum, ViewerEventMap }
