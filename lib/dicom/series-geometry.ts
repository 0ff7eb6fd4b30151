// Display order and 3D geometry of one series. Slices are ordered by their position along
// the slice normal (row cosines × column cosines), which is correct for any orientation,
// oblique included; InstanceNumber is only a fallback, because scanners number slices in
// acquisition order, which need not be spatial. The warnings explain why a series is not
// offered as a volume (MPR needs one orientation, one size and even spacing).
import { dot, norm, normalize, orientationDirections, positionAlongNormal, SAME_POSITION_MM, scale, sliceNormal, sliceSpacing, sliceSteps, subtract, type Vec3 } from './geometry'
import type { DicomInstance, GeometryWarning, SeriesGeometry } from './types'

/** A step may differ from the median spacing by this fraction and still be regular. */
const SPACING_TOLERANCE = 0.05
/** Direction cosines must be unit length and orthogonal to within this. */
const COSINE_TOLERANCE = 0.01
/** 1 − cos(angle) below which two orientations are the same (about 0.8°). */
const ORIENTATION_TOLERANCE = 1e-4
/** Sideways drift per mm along the normal above which the stack is sheared (about 0.6°). */
const SHEAR_TOLERANCE = 0.01
/** Fewer slices than this make no useful volume. */
const MIN_VOLUME_SLICES = 3

export interface OrderedSeries {
  instances: DicomInstance[]
  geometry: SeriesGeometry
}

/** Orders a series' instances for display and describes its geometry. */
export function orderSeries(instances: readonly DicomInstance[]): OrderedSeries {
  const images = instances.filter((instance) => instance.hasPixelData)
  // Non-image objects (a rare SR or RT object sharing the series) go last, in number order.
  const others = instances.filter((instance) => !instance.hasPixelData).sort(byInstanceNumber)
  const { ordered, geometry } = orderImages(images)
  return { instances: [...ordered, ...others], geometry }
}

function orderImages(images: DicomInstance[]): { ordered: DicomInstance[]; geometry: SeriesGeometry } {
  const warnings: GeometryWarning[] = []
  const byNumber = () => [...images].sort(byInstanceNumber)
  const notVolume = (normal: Vec3 | null) => ({ ordered: byNumber(), geometry: { normal, sliceSpacing: null, isVolume: false, warnings } })
  if (images.length === 0) return notVolume(null)

  const first = images[0]!
  if (images.some((image) => image.rows !== first.rows || image.columns !== first.columns)) {
    warnings.push({ kind: 'mixed-size', message: 'Images differ in size (rows × columns)' })
  }

  const cosines = images.map((image) => directionCosines(image.imageOrientationPatient))
  const referenceCosines = cosines[0]
  const referenceNormal = referenceCosines ? sliceNormal(referenceCosines[0], referenceCosines[1]) : null

  if (images.some((image) => image.numberOfFrames > 1)) {
    warnings.push({ kind: 'multi-frame', message: 'Multi-frame images: frames are not checked for volume geometry' })
    return notVolume(referenceNormal)
  }

  const missing = images.filter((image, index) => !image.imagePositionPatient || !cosines[index]).length
  if (missing > 0 || !referenceCosines || !referenceNormal) {
    warnings.push({ kind: 'no-geometry', message: `${missing} of ${images.length} images lack a usable position or orientation` })
    return notVolume(null)
  }

  const sameOrientation = cosines.every(
    (pair) => pair && 1 - dot(pair[0], referenceCosines[0]) < ORIENTATION_TOLERANCE && 1 - dot(pair[1], referenceCosines[1]) < ORIENTATION_TOLERANCE,
  )
  if (!sameOrientation) {
    warnings.push({ kind: 'mixed-orientation', message: 'Images have different orientations' })
    return notVolume(null)
  }

  const slices = images
    .map((image) => ({ image, position: image.imagePositionPatient as Vec3, distance: positionAlongNormal(image.imagePositionPatient as Vec3, referenceNormal) }))
    .sort((a, b) => a.distance - b.distance || byInstanceNumber(a.image, b.image))
  const ordered = slices.map((slice) => slice.image)

  const { steps, duplicates } = sliceSteps(slices.map((slice) => slice.distance))
  if (duplicates > 0) {
    warnings.push({ kind: 'duplicate-position', message: `${duplicates} image(s) share a slice position with another` })
  }

  const spacing = sliceSpacing(steps)
  if (spacing !== null) {
    warnings.push(...spacingWarnings(steps, spacing))
    const travel = subtract(slices[slices.length - 1]!.position, slices[0]!.position)
    const along = dot(travel, referenceNormal)
    const sideways = norm(subtract(travel, scale(referenceNormal, along)))
    if (sideways > SHEAR_TOLERANCE * Math.abs(along) + SAME_POSITION_MM) {
      warnings.push({ kind: 'sheared', message: 'Slices shift sideways through the stack (gantry tilt?): not a rectilinear volume' })
    }
  }

  const isVolume = warnings.length === 0 && slices.length >= MIN_VOLUME_SLICES
  return { ordered, geometry: { normal: referenceNormal, sliceSpacing: spacing, isVolume, warnings } }
}

function spacingWarnings(steps: number[], spacing: number): GeometryWarning[] {
  let missingSlices = 0
  let irregular = 0
  for (const step of steps) {
    const ratio = step / spacing
    if (Math.abs(ratio - 1) <= SPACING_TOLERANCE) continue
    // A step of about k × spacing (k ≥ 2) is k − 1 slices missing; anything else is uneven.
    const multiple = Math.round(ratio)
    if (multiple >= 2 && Math.abs(ratio - multiple) <= SPACING_TOLERANCE * multiple) missingSlices += multiple - 1
    else irregular++
  }
  const warnings: GeometryWarning[] = []
  if (missingSlices > 0) {
    warnings.push({ kind: 'gap', message: `About ${missingSlices} slice(s) missing: gaps of whole multiples of the ${round(spacing)} mm spacing` })
  }
  if (irregular > 0) {
    warnings.push({ kind: 'irregular-spacing', message: `${irregular} step(s) differ from the ${round(spacing)} mm median spacing by more than ${SPACING_TOLERANCE * 100}%` })
  }
  return warnings
}

/** Row and column direction cosines, normalized; null unless unit length and orthogonal. */
function directionCosines(orientation: DicomInstance['imageOrientationPatient']): [Vec3, Vec3] | null {
  if (!orientation) return null
  const [row, column] = orientationDirections(orientation)
  const unit = (v: Vec3) => Math.abs(norm(v) - 1) <= COSINE_TOLERANCE
  if (!unit(row) || !unit(column) || Math.abs(dot(row, column)) > COSINE_TOLERANCE) return null
  return [normalize(row), normalize(column)]
}

function byInstanceNumber(a: DicomInstance, b: DicomInstance): number {
  const number = (instance: DicomInstance) => instance.instanceNumber ?? Number.MAX_SAFE_INTEGER
  return number(a) - number(b) || (a.source < b.source ? -1 : a.source > b.source ? 1 : 0)
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000
}
