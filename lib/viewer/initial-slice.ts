import type { DicomSeries } from '../dicom/types'

// The slice a stack opens on. Series are ordered along their slice normal
// (lib/dicom/series-geometry.ts), which for an axial series runs foot to head: opening on
// index 0 would show the feet end first. Readers start at the head end, so an axial(-ish)
// series opens on its most superior slice: the largest patient z (DICOM LPS, +z superior).
// OHIF sorts every position-sortable series by distance along the normal, farthest first,
// and opens its first image, which for axial is the head end too but for sagittal and
// coronal depends on the sign of the normal; those (and anything without one clear
// orientation) open on index 0 here, the first along the normal.

/** Index, among the series' images, of the slice to show first. */
export function initialSliceIndex(series: Pick<DicomSeries, 'instances' | 'geometry'>): number {
  const images = series.instances.filter((instance) => instance.hasPixelData)
  // Frames of multi-frame images each take an index: instance positions do not map onto them.
  if (images.some((instance) => instance.numberOfFrames > 1)) return 0
  const normal = series.geometry.normal
  if (!normal || Math.abs(normal[2]) < Math.max(Math.abs(normal[0]), Math.abs(normal[1]))) return 0
  let best = 0
  let bestZ = -Infinity
  images.forEach((image, index) => {
    const z = image.imagePositionPatient?.[2]
    if (z !== undefined && z > bestZ) {
      best = index
      bestZ = z
    }
  })
  return best
}
