import 'client-only'
import { cache, imageLoader, metaData, type RenderingEngine, type Types } from '@cornerstonejs/core'
import { Enums as ToolEnums, segmentation } from '@cornerstonejs/tools'
import type { LabelmapDocument } from '../annotation/labelmap-document'
import type { ViewportId } from './events'

// Renders a LabelmapDocument in the viewer without copying it: each of Cornerstone's
// labelmap images is a view into the document's buffer (one slice each), so what the
// viewer shows is what export, proposals and SEG read. The layer follows the document's
// change events and tells Cornerstone which slices to redraw.

/** A document shown on the images of the displayed series (one image per document slice). */
export interface LabelmapBinding {
  document: LabelmapDocument
  imageIds: string[]
}

interface ImagePlane {
  rows: number
  columns: number
  rowPixelSpacing: number | null
  columnPixelSpacing: number | null
  imagePositionPatient: Types.Point3
  imageOrientationPatient: number[]
  frameOfReferenceUID: string
}

let layerCount = 0

/** One labelmap image per document slice, each a view into the document's buffer. */
function labelmapImages(segmentationId: string, binding: LabelmapBinding): string[] {
  return binding.imageIds.map((referencedImageId, slice) => {
    const plane = metaData.get('imagePlaneModule', referencedImageId) as ImagePlane | undefined
    if (!plane) throw new Error('The images are not loaded yet, so the labelmap cannot be placed on them.')
    const imageId = `parallax-labelmap:${segmentationId}:${slice}`
    imageLoader.createAndCacheLocalImage(imageId, {
      scalarData: binding.document.slice(slice),
      dimensions: [plane.columns, plane.rows],
      spacing: [plane.columnPixelSpacing ?? 1, plane.rowPixelSpacing ?? 1],
      origin: plane.imagePositionPatient,
      direction: plane.imageOrientationPatient as Types.Mat3,
      frameOfReferenceUID: plane.frameOfReferenceUID,
      referencedImageId,
      targetBuffer: { type: 'Uint8Array' },
    })
    return imageId
  })
}

export class LabelmapLayer {
  private current: { binding: LabelmapBinding; segmentationId: string; imageIds: string[]; visible: boolean; unsubscribe: () => void } | null = null

  constructor(
    private readonly engine: RenderingEngine,
    private readonly activeViewportIds: () => ViewportId[],
  ) {}

  get binding(): LabelmapBinding | null {
    return this.current?.binding ?? null
  }

  async show(binding: LabelmapBinding | null): Promise<void> {
    this.remove()
    if (!binding) return
    const { document, imageIds } = binding
    if (document.grid.slices !== imageIds.length) throw new Error(`The labelmap has ${document.grid.slices} slices; the series shows ${imageIds.length} images.`)
    layerCount += 1
    const segmentationId = `parallax-labelmap-${layerCount}`
    const labelmapImageIds = labelmapImages(segmentationId, binding)
    segmentation.addSegmentations([{ segmentationId, representation: { type: ToolEnums.SegmentationRepresentations.Labelmap, data: { imageIds: labelmapImageIds } } }])
    const unsubscribers = [
      document.on('labels-changed', ({ slices }) => {
        segmentation.triggerSegmentationEvents.triggerSegmentationDataModified(segmentationId, slices)
        this.engine.renderViewports(this.activeViewportIds())
      }),
      document.on('segments-changed', () => this.applyColours()),
    ]
    this.current = { binding, segmentationId, imageIds: labelmapImageIds, visible: true, unsubscribe: () => unsubscribers.forEach((off) => off()) }
    await this.attach(imageIds)
  }

  /** Shows the labelmap in the active viewports if it belongs to these images (after a layout change). */
  async attach(imageIds: string[]): Promise<void> {
    const current = this.current
    if (!current || current.binding.imageIds.length !== imageIds.length || current.binding.imageIds[0] !== imageIds[0]) return
    for (const id of this.activeViewportIds()) {
      await segmentation.addLabelmapRepresentationToViewport(id, [{ segmentationId: current.segmentationId }])
      if (!current.visible) segmentation.config.visibility.setSegmentationRepresentationVisibility(id, { segmentationId: current.segmentationId }, false)
    }
    this.applyColours()
  }

  setVisible(visible: boolean): void {
    const current = this.current
    if (!current) return
    current.visible = visible
    for (const id of this.activeViewportIds()) segmentation.config.visibility.setSegmentationRepresentationVisibility(id, { segmentationId: current.segmentationId }, visible)
    this.engine.renderViewports(this.activeViewportIds())
  }

  remove(): void {
    const current = this.current
    if (!current) return
    this.current = null
    current.unsubscribe()
    segmentation.removeSegmentation(current.segmentationId)
    for (const imageId of current.imageIds) cache.removeImageLoadObject(imageId)
  }

  private applyColours() {
    const current = this.current
    if (!current) return
    for (const id of this.activeViewportIds()) {
      for (const segment of current.binding.document.segments) segmentation.config.color.setSegmentIndexColor(id, current.segmentationId, segment.number, [...segment.color, 150])
    }
    this.engine.renderViewports(this.activeViewportIds())
  }
}
