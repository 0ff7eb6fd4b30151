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

/** Cornerstone's labelmap images for one layer of the binding's series, filled from the document. */
function labelmapImages(binding: LabelmapBinding, layer: number): Types.IImage[] {
  const images = imageLoader.createAndCacheDerivedLabelmapImages(binding.imageIds)
  images.forEach((image, slice) => copySlice(binding.document, layer, image, slice))
  return images
}

function copySlice(document: LabelmapDocument, layer: number, image: Types.IImage, slice: number) {
  ;(image.voxelManager ? (image.voxelManager.getScalarData() as Uint8Array) : (image.getPixelData() as Uint8Array)).set(document.slice(slice, layer))
}

/** One Cornerstone labelmap segmentation per document layer. */
interface RenderLayer {
  segmentationId: string
  images: Types.IImage[]
  imageIds: string[]
}

export class LabelmapLayer {
  private current: { binding: LabelmapBinding; layers: RenderLayer[]; visible: boolean; unsubscribe: () => void } | null = null
  private hidden = new Set<number>()

  constructor(
    private readonly engine: RenderingEngine,
    private readonly activeViewportIds: () => ViewportId[],
  ) {}

  get binding(): LabelmapBinding | null {
    return this.current?.binding ?? null
  }

  async show(binding: LabelmapBinding | null): Promise<void> {
    const visible = this.current?.binding === binding ? this.current.visible : true
    this.remove()
    if (!binding) return
    const { document, imageIds } = binding
    if (document.grid.slices !== imageIds.length) throw new Error(`The labelmap has ${document.grid.slices} slices; the series shows ${imageIds.length} images.`)
    const layers: RenderLayer[] = []
    for (let layer = 0; layer < document.layerCount; layer++) {
      layerCount += 1
      const segmentationId = `parallax-labelmap-${layerCount}`
      const images = labelmapImages(binding, layer)
      const labelmapImageIds = images.map((image) => image.imageId)
      // Naming the layer's segments lets per-segment visibility apply to them (Cornerstone keeps it per named segment).
      const segments = Object.fromEntries(document.segments.filter((segment) => segment.layer === layer).map((segment) => [segment.number, { label: segment.name }]))
      segmentation.addSegmentations([
        { segmentationId, representation: { type: ToolEnums.SegmentationRepresentations.Labelmap, data: { imageIds: labelmapImageIds } }, config: { segments } },
      ])
      layers.push({ segmentationId, images, imageIds: labelmapImageIds })
    }
    const unsubscribers = [
      document.on('labels-changed', (detail) => {
        const changedLayers = detail.layers
        for (const layer of changedLayers) {
          const target = layers[layer]
          if (!target) continue
          for (const slice of detail.slices) copySlice(document, layer, target.images[slice]!, slice)
          segmentation.triggerSegmentationEvents.triggerSegmentationDataModified(target.segmentationId, detail.slices)
        }
        this.engine.renderViewports(this.activeViewportIds())
      }),
      document.on('segments-changed', () => {
        // A segment on a new layer needs a segmentation of its own.
        if (document.layerCount !== layers.length) void this.show(binding)
        else this.applyColours()
      }),
    ]
    this.current = { binding, layers, visible, unsubscribe: () => unsubscribers.forEach((off) => off()) }
    await this.attach(imageIds)
  }

  /** Shows the labelmap in the active viewports if it belongs to these images (after a layout change). */
  async attach(imageIds: string[]): Promise<void> {
    const current = this.current
    if (!current || current.binding.imageIds.length !== imageIds.length || current.binding.imageIds[0] !== imageIds[0]) return
    for (const id of this.activeViewportIds()) {
      await segmentation.addLabelmapRepresentationToViewport(
        id,
        current.layers.map(({ segmentationId }) => ({ segmentationId })),
      )
      if (!current.visible) for (const { segmentationId } of current.layers) segmentation.config.visibility.setSegmentationRepresentationVisibility(id, { segmentationId }, false)
    }
    this.applyColours()
  }

  setVisible(visible: boolean): void {
    const current = this.current
    if (!current) return
    current.visible = visible
    for (const id of this.activeViewportIds()) {
      for (const { segmentationId } of current.layers) segmentation.config.visibility.setSegmentationRepresentationVisibility(id, { segmentationId }, visible)
    }
    this.engine.renderViewports(this.activeViewportIds())
  }

  /** Segments not to draw (the rest are drawn). */
  setHiddenSegments(numbers: readonly number[]): void {
    this.hidden = new Set(numbers)
    this.applyColours()
  }

  remove(): void {
    const current = this.current
    if (!current) return
    this.current = null
    current.unsubscribe()
    for (const layer of current.layers) {
      segmentation.removeSegmentation(layer.segmentationId)
      for (const imageId of layer.imageIds) cache.removeImageLoadObject(imageId)
    }
  }

  private applyColours() {
    const current = this.current
    if (!current) return
    for (const id of this.activeViewportIds()) {
      for (const segment of current.binding.document.segments) {
        const layer = current.layers[segment.layer]
        if (!layer) continue
        // A transparent colour hides segments Cornerstone has no visibility entry for (those added after the layer was made).
        const hidden = this.hidden.has(segment.number)
        segmentation.config.color.setSegmentIndexColor(id, layer.segmentationId, segment.number, [...segment.color, hidden ? 0 : 150])
        segmentation.config.visibility.setSegmentIndexVisibility(id, { segmentationId: layer.segmentationId }, segment.number, !hidden)
      }
    }
    this.engine.renderViewports(this.activeViewportIds())
  }
}
