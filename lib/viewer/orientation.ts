import { cross, type Vec3 } from '../dicom/geometry'

// Orientation markers: the patient direction (DICOM LPS: +x Left, +y Posterior, +z
// Superior) that each edge of the viewport points to, from the camera's view-up and view
// plane normal. Oblique directions get up to two letters, strongest first (as in OHIF).

export interface EdgeLabels {
  top: string
  bottom: string
  left: string
  right: string
}

const positive = ['L', 'P', 'S'] as const
const negative = ['R', 'A', 'I'] as const

export function directionLabel(direction: Vec3, obliqueThreshold = 0.25): string {
  const axes = direction
    .map((value, axis) => ({ axis, value }))
    .filter(({ value }) => Math.abs(value) > obliqueThreshold)
    .sort((a, b) => Math.abs(b.value) - Math.abs(a.value))
    .slice(0, 2)
  return axes.map(({ axis, value }) => (value > 0 ? positive[axis] : negative[axis])).join('')
}

const negate = (v: Vec3): Vec3 => [-v[0], -v[1], -v[2]]

/**
 * Labels for a camera looking along `viewPlaneNormal` (pointing from the scene towards the
 * viewer, as Cornerstone's camera does) with `viewUp` towards the top of the screen.
 */
export function edgeLabels(viewUp: Vec3, viewPlaneNormal: Vec3): EdgeLabels {
  // Screen right = viewUp × normal for a right-handed screen basis facing the viewer.
  const right = cross(viewUp, viewPlaneNormal)
  return {
    top: directionLabel(viewUp),
    bottom: directionLabel(negate(viewUp)),
    right: directionLabel(right),
    left: directionLabel(negate(right)),
  }
}
