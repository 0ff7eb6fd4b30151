import 'client-only'
import { metaData, type Types } from '@cornerstonejs/core'
import type { ImagePlane } from '../dicom/geometry'

// The plane of a loaded image, for converting between Cornerstone's corner-based image
// coordinates and patient coordinates with geometry.ts (centreToCorner(patientToPlane(...)),
// planeToPatient(plane, ...cornerToCentre(...))) instead of utilities.imageToWorldCoords /
// worldToImageCoords: in Cornerstone 5.14 those scale the row direction by PixelSpacing[0]
// (the row spacing) and so misplace points on non-square pixels, where its renderer does
// not (cornerstone3D#2758).

/**
 * The plane of a loaded image from Cornerstone's metadata. Its rowPixelSpacing is
 * PixelSpacing[0] (between rows) and columnPixelSpacing PixelSpacing[1], both 1 when
 * absent, as Cornerstone renders them; null without position or orientation.
 */
export function imagePlaneOf(imageId: string): ImagePlane | null {
  const plane = metaData.get('imagePlaneModule', imageId) as Types.ImagePlaneModule | undefined
  if (!plane?.imagePositionPatient || !plane.rowCosines || !plane.columnCosines) return null
  return {
    position: [...plane.imagePositionPatient],
    rowDirection: [...plane.rowCosines],
    columnDirection: [...plane.columnCosines],
    rowSpacing: plane.rowPixelSpacing || 1,
    columnSpacing: plane.columnPixelSpacing || 1,
  }
}
