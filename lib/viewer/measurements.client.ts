import 'client-only'
import { utilities, type Types } from '@cornerstonejs/core'
import { annotation } from '@cornerstonejs/tools'
import type { Measurement } from './measurements'
import { measurementKindOf } from './tool-registry'

/** The measurement annotations drawn so far, with their values and statistics in modality units. */
export function collectMeasurements(): Measurement[] {
  const result: Measurement[] = []
  for (const item of annotation.state.getAllAnnotations()) {
    const kind = item.metadata ? measurementKindOf(item.metadata.toolName) : null
    if (!kind || !item.annotationUID) continue
    const imageId = item.metadata?.referencedImageId ?? ''
    const stats = Object.values((item.data.cachedStats ?? {}) as Record<string, Record<string, unknown>>)[0] ?? {}
    const points = (item.data.handles?.points ?? []) as Types.Point3[]
    const num = (key: string) => (typeof stats[key] === 'number' ? (stats[key] as number) : null)
    result.push({
      uid: item.annotationUID,
      kind,
      imageId,
      value: kind === 'length' ? num('length') : kind === 'angle' ? num('angle') : null,
      unit: kind === 'length' ? String(stats.unit ?? 'mm') : kind === 'angle' ? 'deg' : String(stats.modalityUnit ?? ''),
      stats:
        (kind === 'ellipse' || kind === 'rectangle') && num('mean') !== null
          ? {
              mean: num('mean')!,
              stdDev: num('stdDev') ?? 0,
              min: num('min') ?? 0,
              max: num('max') ?? 0,
              area: num('area') ?? 0,
              areaUnit: String(stats.areaUnit ?? 'mm²'),
              unit: String(stats.modalityUnit ?? ''),
            }
          : null,
      pixelPoints: imageId ? points.map((point) => utilities.worldToImageCoords(imageId, point) as [number, number]) : [],
    })
  }
  return result
}
