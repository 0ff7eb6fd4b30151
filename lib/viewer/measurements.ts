// A measurement as the viewer shows it: what was measured, in physical units, and the
// extent in image pixels it came from (so a length can be checked against PixelSpacing).
// Which tool makes which kind is the tool registry's (measurementKindOf).

export const measurementKinds = ['length', 'angle', 'ellipse', 'rectangle'] as const
export type MeasurementKind = (typeof measurementKinds)[number]

export interface Measurement {
  uid: string
  kind: MeasurementKind
  imageId: string
  /** Length in mm, angle in degrees; null while Cornerstone is still computing it. */
  value: number | null
  unit: string
  /** ROI statistics in modality units (HU for CT). */
  stats: { mean: number; stdDev: number; min: number; max: number; area: number; areaUnit: string; unit: string } | null
  /** Handle positions in image pixel coordinates [column, row]. */
  pixelPoints: [number, number][]
}

export function formatMeasurement(measurement: Measurement): string {
  if (measurement.value === null && !measurement.stats) return 'measuring…'
  if (measurement.kind === 'length') return `${measurement.value?.toFixed(1)} ${measurement.unit}`
  if (measurement.kind === 'angle') return `${measurement.value?.toFixed(1)}°`
  const stats = measurement.stats
  if (!stats) return 'measuring…'
  return `mean ${stats.mean.toFixed(1)} ${stats.unit} · SD ${stats.stdDev.toFixed(1)} · min ${stats.min.toFixed(0)} · max ${stats.max.toFixed(0)} · area ${stats.area.toFixed(1)} ${stats.areaUnit}`
}
