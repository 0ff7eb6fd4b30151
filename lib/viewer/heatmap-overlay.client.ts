import 'client-only'
import type { Types } from '@cornerstonejs/core'
import { cornerToCentre, planeToPatient } from '../dicom/geometry'
import { colormapTable, type ColormapName } from '../explain/colormap'
import { imagePlaneOf } from './image-plane.client'

// A heatmap drawn over one image of the stack viewport, on a canvas laid over Cornerstone's.
// It follows pan, zoom, rotation and flips: the image-to-canvas mapping is read from the
// viewport (three image points through world coordinates) at every render. It draws in
// Cornerstone's corner-based image coordinates (geometry.ts), where the picture's (0, 0)
// is the first pixel's outer corner.

export interface HeatmapOverlay {
  imageId: string
  values: Float32Array
  columns: number
  rows: number
  opacity: number
  colormap: ColormapName
}

export class HeatmapLayer {
  private readonly canvas: HTMLCanvasElement
  private overlay: HeatmapOverlay | null = null
  private picture: HTMLCanvasElement | null = null
  private visible = true
  /** Whether the canvas holds a drawing: renders without a heatmap then cost nothing. */
  private drawn = false

  constructor(private readonly element: HTMLElement) {
    this.canvas = document.createElement('canvas')
    this.canvas.dataset.testid = 'heatmap-canvas'
    Object.assign(this.canvas.style, { position: 'absolute', inset: '0', pointerEvents: 'none', zIndex: '2' })
    element.appendChild(this.canvas)
  }

  set(overlay: HeatmapOverlay | null) {
    const rebuild = !overlay || !this.overlay || overlay.values !== this.overlay.values || overlay.colormap !== this.overlay.colormap
    this.overlay = overlay
    if (rebuild) this.picture = overlay ? this.paint(overlay) : null
  }

  setVisible(visible: boolean) {
    this.visible = visible
  }

  /** Colour-mapped RGBA at the image's own resolution; alpha rises with the value, so cold areas stay see-through. */
  private paint(overlay: HeatmapOverlay): HTMLCanvasElement {
    const picture = document.createElement('canvas')
    picture.width = overlay.columns
    picture.height = overlay.rows
    const context = picture.getContext('2d')!
    const image = context.createImageData(overlay.columns, overlay.rows)
    const table = colormapTable(overlay.colormap)
    for (let p = 0; p < overlay.values.length; p++) {
      const level = Math.max(0, Math.min(255, Math.round(overlay.values[p]! * 255)))
      image.data.set([table[level * 3]!, table[level * 3 + 1]!, table[level * 3 + 2]!, Math.round(255 * Math.min(1, 0.15 + overlay.values[p]!))], p * 4)
    }
    context.putImageData(image, 0, 0)
    return picture
  }

  render(viewport: Types.IStackViewport | undefined) {
    const overlay = this.overlay
    const onImage = !!overlay && !!this.picture && this.visible && !!viewport && viewport.getCurrentImageId() === overlay.imageId
    const plane = onImage ? imagePlaneOf(overlay!.imageId) : null
    const show = plane !== null
    if (!show && !this.drawn) return
    const ratio = window.devicePixelRatio || 1
    const width = this.element.clientWidth
    const height = this.element.clientHeight
    if (this.canvas.width !== Math.round(width * ratio) || this.canvas.height !== Math.round(height * ratio)) {
      this.canvas.width = Math.round(width * ratio)
      this.canvas.height = Math.round(height * ratio)
      this.canvas.style.width = `${width}px`
      this.canvas.style.height = `${height}px`
    }
    const context = this.canvas.getContext('2d')!
    context.setTransform(1, 0, 0, 1, 0, 0)
    context.clearRect(0, 0, this.canvas.width, this.canvas.height)
    this.drawn = show
    if (!show) return
    const toCanvas = (x: number, y: number) => viewport!.worldToCanvas(planeToPatient(plane, ...cornerToCentre([x, y])))
    const origin = toCanvas(0, 0)
    const alongRow = toCanvas(1, 0)
    const alongColumn = toCanvas(0, 1)
    context.setTransform(
      ratio * (alongRow[0] - origin[0]),
      ratio * (alongRow[1] - origin[1]),
      ratio * (alongColumn[0] - origin[0]),
      ratio * (alongColumn[1] - origin[1]),
      ratio * origin[0],
      ratio * origin[1],
    )
    context.globalAlpha = overlay!.opacity
    context.imageSmoothingEnabled = true
    context.drawImage(this.picture!, 0, 0)
  }

  destroy() {
    this.canvas.remove()
  }
}
