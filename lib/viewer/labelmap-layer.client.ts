import 'client-only'
import { cache, imageLoader, type RenderingEngine, type Types } from '@cornerstonejs/core'
import { Enums as ToolEnums, segmentation } from '@cornerstonejs/tools'
import type { LabelmapDocument } from '../annotation/labelmap-document'
import type { ViewportId } from './events'

// Renders a LabelmapDocument in the viewer. The document is the only labelmap the page
// edits; Cornerstone's labelmap images (one per slice, which its renderer uploads to the
// GPU) are a render cache the layer refills from the document on each change event, for
// the changed slices only, so what the viewer shows is what export, proposals and SEG read.
// (Images built on views of the document's buffer were not drawn by Cornerstone 5.14's
// stack labelmap path, which expects its own derived images.)

/** A document shown on the images of the displayed series (one image per document slice). */
export interface LabelmapBinding {
  document: LabelmapDocument
  imageIds: string[]
}

let layerCount = 0

/** Cornerstone's labelmap images for the binding's series, filled from the document. */
function labelmapImages(binding: LabelmapBinding): Types.IImage[] {
  const images = imageLoader.createAndCacheDerivedLabelmapImages(binding.imageIds)
  images.forEach((image, slice) => copySlice(binding.document, image, slice))
  return images
}

function copySlice(document: LabelmapDocument, image: Types.IImage, slice: number) {
  ;(image.voxelManager ? (image.voxelManager.getScalarData() as Uint8Array) : (image.getPixelData() as Uint8Array)).set(document.slice(slice))
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
    const images = labelmapImages(binding)
    const labelmapImageIds = images.map((image) => image.imageId)
    segmentation.addSegmentations([{ segmentationId, representation: { type: ToolEnums.SegmentationRepresentations.Labelmap, data: { imageIds: labelmapImageIds } } }])
    const unsubscribers = [
      document.on('labels-changed', ({ slices }) => {
        for (const slice of slices) copySlice(document, images[slice]!, slice)
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
