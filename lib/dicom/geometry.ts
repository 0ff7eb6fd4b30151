// Pixel ↔ patient geometry, in one place. Patient coordinates are DICOM's (LPS, mm).
//
// Conventions (DICOM PS3.3 C.7.6.2):
// - ImageOrientationPatient's first triplet is the direction along a row, that is of
//   increasing column index; the second triplet is the direction of increasing row index.
// - PixelSpacing is [row spacing, column spacing]: the first value is the distance between
//   adjacent rows, so it scales the row index (along the second triplet); the second is the
//   distance between adjacent columns and scales the column index (along the first triplet).
// - Pixel coordinates (column, row) here are centre-based, as in DICOM: integer coordinates
//   are pixel centres, the centre of pixel (0, 0) is ImagePositionPatient, pixel (c, r) covers
//   c ± 0.5, r ± 0.5, and the outer corner of the image is at (−0.5, −0.5).
// - Cornerstone's image coordinates (utilities.imageToWorldCoords and worldToImageCoords, and
//   with them anything drawn over an image) are corner-based: (0, 0) is the image's outer
//   corner and the centre of pixel (0, 0) is (0.5, 0.5). cornerToCentre / centreToCorner
//   convert. Cornerstone 5.14's two utilities also scale the row direction by PixelSpacing[0],
//   swapping the spacings on non-square pixels (cornerstone3D#2758), unlike its renderer; the
//   viewer converts with this module instead.
// - Voxel grids (the inference volumes) follow the same centre convention in 3D.

export type Vec3 = [number, number, number]
export type ImageOrientation = [number, number, number, number, number, number]

/** The edges of pixel (or voxel) i lie at i ± HALF_PIXEL in centre-based coordinates. */
export const HALF_PIXEL = 0.5
/** Slice positions closer than this along the normal are the same position. */
export const SAME_POSITION_MM = 0.01

export const dot = (a: Vec3, b: Vec3): number => a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
export const cross = (a: Vec3, b: Vec3): Vec3 => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]]
export const subtract = (a: Vec3, b: Vec3): Vec3 => [a[0] - b[0], a[1] - b[1], a[2] - b[2]]
export const scale = (v: Vec3, factor: number): Vec3 => [v[0] * factor, v[1] * factor, v[2] * factor]
export const norm = (v: Vec3): number => Math.hypot(v[0], v[1], v[2])
export const normalize = (v: Vec3): Vec3 => scale(v, 1 / norm(v))

/**
 * A regular grid in patient space: index (i, j, …) lies at origin + i·spacing[0]·axes[0] +
 * j·spacing[1]·axes[1] + …, integer indices being cell centres. An image plane is a 2D grid,
 * an inference volume a 3D one.
 */
export interface PatientGrid {
  origin: Vec3
  axes: readonly Vec3[]
  spacing: readonly number[]
}

/** Patient position of a (continuous) grid index. */
export function indexToPatient(grid: PatientGrid, index: readonly number[]): Vec3 {
  const point: Vec3 = [...grid.origin]
  for (let a = 0; a < grid.axes.length; a++) {
    const distance = index[a]! * grid.spacing[a]!
    for (let c = 0; c < 3; c++) point[c]! += grid.axes[a]![c]! * distance
  }
  return point
}

/** How far a patient-space vector (mm) moves along each grid axis, in steps. Axes must be orthonormal. */
export function directionToIndex(grid: PatientGrid, vector: Vec3): number[] {
  return grid.axes.map((axis, a) => dot(vector, axis) / grid.spacing[a]!)
}

/** The continuous grid index of a patient point (projected onto the grid's axes). */
export function patientToIndex(grid: PatientGrid, point: Vec3): number[] {
  return directionToIndex(grid, subtract(point, grid.origin))
}

/** The in-plane geometry a series' images share: size, pixel spacing and directions. */
export interface SliceStackGeometry {
  columns: number
  rows: number
  /** mm between adjacent columns (PixelSpacing[1]) and adjacent rows (PixelSpacing[0]). */
  columnSpacing: number
  rowSpacing: number
  /** Direction of increasing column index (ImageOrientationPatient 0–2) and row index (3–5). */
  rowDirection: Vec3
  columnDirection: Vec3
}

/** The Image Plane attributes of an image, as parsed (null when absent or unusable). */
export interface ImagePlaneAttributes {
  imagePositionPatient: Vec3 | null
  imageOrientationPatient: ImageOrientation | null
  /** [row spacing, column spacing] in mm, from PixelSpacing (or ImagerPixelSpacing). */
  pixelSpacing: [number, number] | null
}

/** What geometry is read from: an image's size and Image Plane attributes (a DicomInstance has them). */
type PlaneSource = ImagePlaneAttributes & { rows: number; columns: number }

/** Row and column directions as given by ImageOrientationPatient (not normalized). */
export function orientationDirections(orientation: ImageOrientation): [rowDirection: Vec3, columnDirection: Vec3] {
  return [
    [orientation[0], orientation[1], orientation[2]],
    [orientation[3], orientation[4], orientation[5]],
  ]
}

/** The in-plane geometry of a series from its first image, or null when it lacks orientation or spacing. */
export function stackGeometryOf(first: PlaneSource): SliceStackGeometry | null {
  const orientation = first.imageOrientationPatient
  if (!orientation || !first.pixelSpacing) return null
  const [rowDirection, columnDirection] = orientationDirections(orientation)
  return { columns: first.columns, rows: first.rows, rowSpacing: first.pixelSpacing[0], columnSpacing: first.pixelSpacing[1], rowDirection, columnDirection }
}

/** One image's plane: spacing and directions, and its ImagePositionPatient (the centre of pixel (0, 0)). */
export type ImagePlane = Pick<SliceStackGeometry, 'columnSpacing' | 'rowSpacing' | 'rowDirection' | 'columnDirection'> & { position: Vec3 }

/** The plane as a 2D grid: the column index runs along the row direction, by the column spacing. */
function planeGrid(plane: ImagePlane): PatientGrid {
  return { origin: plane.position, axes: [plane.rowDirection, plane.columnDirection], spacing: [plane.columnSpacing, plane.rowSpacing] }
}

/** Patient position of centre-based pixel coordinates (column, row) on a plane. */
export function planeToPatient(plane: ImagePlane, column: number, row: number): Vec3 {
  return indexToPatient(planeGrid(plane), [column, row])
}

/** Centre-based pixel coordinates [column, row] of a patient point projected onto a plane (orthonormal directions). */
export function patientToPlane(plane: ImagePlane, point: Vec3): [number, number] {
  const [column, row] = patientToIndex(planeGrid(plane), point)
  return [column!, row!]
}

/** Cornerstone's corner-based image coordinates [x, y] → centre-based pixel coordinates [column, row]. */
export const cornerToCentre = ([x, y]: readonly [number, number]): [number, number] => [x - HALF_PIXEL, y - HALF_PIXEL]
/** Centre-based pixel coordinates [column, row] → Cornerstone's corner-based image coordinates [x, y]. */
export const centreToCorner = ([column, row]: readonly [number, number]): [number, number] => [column + HALF_PIXEL, row + HALF_PIXEL]

/** The outer corners of the pixels from (left, top) to (right, bottom), clockwise from top left, centre-based. */
export function pixelBoxCorners(left: number, top: number, right: number, bottom: number): [number, number][] {
  const [x0, y0, x1, y1] = [left - HALF_PIXEL, top - HALF_PIXEL, right + HALF_PIXEL, bottom + HALF_PIXEL]
  return [
    [x0, y0],
    [x1, y0],
    [x1, y1],
    [x0, y1],
  ]
}

/** A series whose pixels can be located: the images' UIDs and positions, in display order, on one shared plane geometry. */
export interface SeriesFrame {
  seriesInstanceUid: string
  frameOfReferenceUid: string | null
  geometry: SliceStackGeometry
  /** Per image, in display order: its SOP instance UID and ImagePositionPatient. */
  images: { sopInstanceUid: string; position: Vec3 }[]
}

interface FramedImage extends PlaneSource {
  sopInstanceUid: string
  frameOfReferenceUid: string
  numberOfFrames: number
}

/** The frame of a single-frame series with full geometry, or null (nothing can be located on it). */
export function seriesFrameOf(series: { seriesInstanceUid: string; instances: readonly FramedImage[] }): SeriesFrame | null {
  const first = series.instances[0]
  const geometry = first ? stackGeometryOf(first) : null
  if (!first || !geometry || series.instances.some((instance) => !instance.imagePositionPatient || instance.numberOfFrames > 1)) return null
  return {
    seriesInstanceUid: series.seriesInstanceUid,
    frameOfReferenceUid: first.frameOfReferenceUid || null,
    geometry,
    images: series.instances.map((instance) => ({ sopInstanceUid: instance.sopInstanceUid, position: instance.imagePositionPatient! })),
  }
}

/** The plane of one image of a frame. */
export function imagePlaneOf(frame: SeriesFrame, imageIndex: number): ImagePlane {
  return { ...frame.geometry, position: frame.images[imageIndex]!.position }
}

/** Patient coordinates (mm) of centre-based pixel coordinates (column, row) on an image of the frame. */
export function pixelToPatient(frame: SeriesFrame, imageIndex: number, column: number, row: number): Vec3 {
  return planeToPatient(imagePlaneOf(frame, imageIndex), column, row)
}

/** Centre-based pixel coordinates [column, row] of a patient point on an image of the frame. */
export function patientToPixel(frame: SeriesFrame, imageIndex: number, point: Vec3): [number, number] {
  return patientToPlane(imagePlaneOf(frame, imageIndex), point)
}

/** Unit normal of an image plane: row direction × column direction. */
export const sliceNormal = (rowDirection: Vec3, columnDirection: Vec3): Vec3 => normalize(cross(rowDirection, columnDirection))

/** Where a slice lies along the normal (mm): its ImagePositionPatient projected onto it. */
export const positionAlongNormal = (position: Vec3, normal: Vec3): number => dot(position, normal)

export interface SliceSteps {
  /** Steps (mm) between adjacent distinct positions, in stack order. */
  steps: number[]
  /** Positions within SAME_POSITION_MM of the one before. */
  duplicates: number
}

/** The steps between slice positions along the normal, given in any order. */
export function sliceSteps(distances: readonly number[]): SliceSteps {
  const sorted = [...distances].sort((a, b) => a - b)
  const steps: number[] = []
  let duplicates = 0
  for (let i = 1; i < sorted.length; i++) {
    const step = sorted[i]! - sorted[i - 1]!
    if (step < SAME_POSITION_MM) duplicates++
    else steps.push(step)
  }
  return { steps, duplicates }
}

/**
 * The slice spacing of a stack: the median step, the lower middle one for an even count, so
 * that the spacing is a step that occurs (a mean of two steps puts no slice on a whole index)
 * and gaps, which are longer steps, do not inflate it. Null without steps.
 */
export function sliceSpacing(steps: readonly number[]): number | null {
  if (steps.length === 0) return null
  const sorted = [...steps].sort((a, b) => a - b)
  return sorted[Math.floor((sorted.length - 1) / 2)]!
}
