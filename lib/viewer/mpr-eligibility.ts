import type { DicomSeries, GeometryWarningKind } from '../dicom/types'

// MPR needs one orientation, one image size and positions along a line. Uneven spacing or
// a missing slice still gives a usable (slightly distorted) volume, as in OHIF, provided
// the reader is told: those warnings stay on screen next to the MPR.
const blocking: ReadonlySet<GeometryWarningKind> = new Set(['mixed-orientation', 'mixed-size', 'no-geometry', 'sheared', 'multi-frame', 'duplicate-position'])

export const minMprSlices = 3

export function mprEligibility(series: DicomSeries): { allowed: boolean; caveats: string[]; reason: string | null } {
  const warnings = series.geometry.warnings
  const block = warnings.find((warning) => blocking.has(warning.kind))
  if (block) return { allowed: false, caveats: [], reason: block.message }
  if (series.instances.length < minMprSlices) return { allowed: false, caveats: [], reason: `MPR needs at least ${minMprSlices} slices.` }
  return { allowed: true, caveats: warnings.map((warning) => warning.message), reason: null }
}
