import 'client-only'
import { getEnabledElement, type Types } from '@cornerstonejs/core'
import { BaseTool, Enums as ToolEnums, cursors, drawing, state as toolState, utilities as toolUtilities, type Types as ToolTypes } from '@cornerstonejs/tools'
import type { Vec3 } from '../dicom/geometry'
import type { ViewerEventMap, ViewportId } from './events'
import { imagePlaneOf } from './image-plane.client'
import type { Ijk, SegmentEditor, SegmentGesture, SegmentToolId, VoxelPlane } from './segment-gestures'
import { distanceMm, insideFrame, voxelFrameOf, voxelPlaneOf, worldToIjk, type FramePlane, type VoxelFrame } from './voxel-frame'

// The labelmap editing tools as Cornerstone tools (BaseTool, as Cornerstone's BrushTool):
// they follow the mouse, draw their cursor in SVG, and hand a finished gesture in voxel
// coordinates to the workspace's editor, which writes it to the labelmap document as one
// transaction. They never touch Cornerstone's own labelmap (a render cache of the document).
// The canvas point goes canvas → world (viewport.canvasToWorld) → voxel index of the
// document's series, and the plane comes from the canvas's right and down directions, so
// each tool works in a stack and in every MPR plane.

export interface ToolSession {
  editor: SegmentEditor | null
  emit: <K extends 'segment-click' | 'segment-hover'>(name: K, detail: ViewerEventMap[K]) => void
}

let session: ToolSession | null = null
let frameCache: { key: string; frame: VoxelFrame } | null = null

/**
 * Connects the tools (Cornerstone's, process-wide) to a viewer's events and editor; returns
 * the disconnection, which leaves a later viewer's session alone (StrictMode's second mount
 * may start before the first is destroyed).
 */
export function bindSegmentTools(next: ToolSession): () => void {
  session = next
  frameCache = null
  return () => {
    if (session === next) session = null
  }
}

/**
 * The voxel frame of a series (its images in display order, `grid` columns × rows each) from
 * Cornerstone's image plane metadata; null while an image lacks it (not cached, so a frame
 * is found once the images have loaded).
 */
export function voxelFrameFor(imageIds: string[], grid: { columns: number; rows: number }): VoxelFrame | null {
  const key = `${imageIds.length}:${imageIds[0]}:${imageIds.at(-1)}:${grid.columns}x${grid.rows}`
  if (frameCache?.key === key) return frameCache.frame
  const planes: FramePlane[] = []
  for (const imageId of imageIds) {
    const plane = imagePlaneOf(imageId)
    if (!plane) return null
    planes.push(plane)
  }
  if (planes.length === 0) return null
  const frame = voxelFrameOf(planes, grid.columns, grid.rows)
  frameCache = { key, frame }
  return frame
}

type Viewport = Types.IEnabledElement['viewport']

interface Pointer {
  viewport: Viewport
  canvas: Types.Point2
  world: Vec3
  ijk: Ijk
  frame: VoxelFrame
  editor: SegmentEditor
}

/** Where a mouse event lies in the editor's voxels, or null (no editor, another series, or off the grid). */
function pointerOf(evt: ToolTypes.EventTypes.MouseMoveEventType | ToolTypes.EventTypes.MouseDownActivateEventType | ToolTypes.EventTypes.MouseDragEventType): Pointer | null {
  const editor = session?.editor
  if (!editor) return null
  const { element, currentPoints } = evt.detail
  const viewport = getEnabledElement(element)?.viewport
  if (!viewport) return null
  let shown: string[]
  try {
    shown = viewport.getImageIds()
  } catch {
    return null // a volume viewport before its volume is set
  }
  // A volume may hold the images in the opposite order (Cornerstone sorts them along the normal).
  if (shown.length !== editor.imageIds.length || (shown[0] !== editor.imageIds[0] && shown[0] !== editor.imageIds.at(-1))) return null
  const frame = voxelFrameFor(editor.imageIds, editor.grid)
  if (!frame) return null
  const canvas: Types.Point2 = [currentPoints.canvas[0], currentPoints.canvas[1]]
  const world = viewport.canvasToWorld(canvas) as Vec3
  return { viewport, canvas, world, ijk: worldToIjk(frame, world), frame, editor }
}

/** The viewport's plane in voxel axes, and mm per canvas pixel (for the cursor's size). */
function planeOf(pointer: Pointer): { plane: VoxelPlane; mmPerPixel: number } {
  const [x, y] = pointer.canvas
  const right = pointer.viewport.canvasToWorld([x + 1, y]) as Vec3
  const down = pointer.viewport.canvasToWorld([x, y + 1]) as Vec3
  const toRight: Vec3 = [right[0] - pointer.world[0], right[1] - pointer.world[1], right[2] - pointer.world[2]]
  const toDown: Vec3 = [down[0] - pointer.world[0], down[1] - pointer.world[1], down[2] - pointer.world[2]]
  return { plane: voxelPlaneOf(pointer.frame, toRight, toDown), mmPerPixel: distanceMm(right, pointer.world) }
}

type MouseEvent_ = ToolTypes.EventTypes.MouseDownActivateEventType

/** What every editing tool shares: hover tracking, the SVG cursor, and a drag turned into one gesture. */
abstract class LabelmapGestureTool extends BaseTool {
  protected hover: { viewportId: string; canvas: Types.Point2; mmPerPixel: number } | null = null
  protected drag: { element: HTMLDivElement; start: Pointer; points: Pointer[]; plane: VoxelPlane } | null = null

  constructor(toolProps: ToolTypes.PublicToolProps = {}) {
    super(toolProps, { supportedInteractionTypes: ['Mouse'], configuration: {} })
  }

  /** Called on mouse up with the drag's pointers (at least one); returns the gesture to apply, if any. */
  protected abstract gesture(start: Pointer, points: Pointer[], plane: VoxelPlane, mouse: MouseEvent | undefined): SegmentGesture | null

  mouseMoveCallback = (evt: ToolTypes.EventTypes.MouseMoveEventType): boolean => {
    const pointer = pointerOf(evt)
    const previous = this.hover?.viewportId
    if (!pointer || !insideFrame(pointer.frame, pointer.ijk)) {
      this.hover = null
    } else {
      this.hover = { viewportId: pointer.viewport.id, canvas: pointer.canvas, mmPerPixel: planeOf(pointer).mmPerPixel }
      session?.emit('segment-hover', { ijk: pointer.ijk, viewportId: pointer.viewport.id as ViewportId })
    }
    const ids = [previous, this.hover?.viewportId].filter((id): id is string => !!id)
    if (ids.length) toolUtilities.triggerAnnotationRenderForViewportIds([...new Set(ids)])
    return false
  }

  preMouseDownCallback = (evt: MouseEvent_): boolean => {
    const pointer = pointerOf(evt)
    if (!pointer || !pointer.editor.canEdit() || !insideFrame(pointer.frame, pointer.ijk)) return false
    const { plane } = planeOf(pointer)
    const element = evt.detail.element as HTMLDivElement
    this.drag = { element, start: pointer, points: [pointer], plane }
    element.addEventListener(ToolEnums.Events.MOUSE_DRAG, this.onDrag as EventListener)
    element.addEventListener(ToolEnums.Events.MOUSE_UP, this.onEnd as EventListener)
    element.addEventListener(ToolEnums.Events.MOUSE_CLICK, this.onEnd as EventListener)
    toolState.isInteractingWithTool = true
    cursors.elementCursor.hideElementCursor(element)
    evt.preventDefault()
    return true
  }

  private onDrag = (evt: ToolTypes.EventTypes.MouseDragEventType) => {
    const pointer = pointerOf(evt)
    if (!this.drag || !pointer) return
    this.drag.points.push(pointer)
    this.hover = { viewportId: pointer.viewport.id, canvas: pointer.canvas, mmPerPixel: planeOf(pointer).mmPerPixel }
    toolUtilities.triggerAnnotationRenderForViewportIds([pointer.viewport.id])
  }

  private onEnd = (evt: ToolTypes.EventTypes.MouseUpEventType) => {
    const drag = this.drag
    if (!drag) return
    this.drag = null
    drag.element.removeEventListener(ToolEnums.Events.MOUSE_DRAG, this.onDrag as EventListener)
    drag.element.removeEventListener(ToolEnums.Events.MOUSE_UP, this.onEnd as EventListener)
    drag.element.removeEventListener(ToolEnums.Events.MOUSE_CLICK, this.onEnd as EventListener)
    toolState.isInteractingWithTool = false
    cursors.elementCursor.resetElementCursor(drag.element)
    const gesture = this.gesture(drag.start, drag.points, drag.plane, evt.detail.event as MouseEvent | undefined)
    if (gesture) drag.start.editor.apply(gesture)
    toolUtilities.triggerAnnotationRenderForViewportIds([drag.start.viewport.id])
  }

  onSetToolDisabled = () => {
    this.hover = null
  }

  /** The cursor (and, while dragging, the gesture's outline) over the viewport under the mouse. */
  renderAnnotation = (enabledElement: Types.IEnabledElement, svg: ToolTypes.SVGDrawingHelper): boolean => {
    const hover = this.hover
    const editor = session?.editor
    if (!hover || !editor || enabledElement.viewport.id !== hover.viewportId || !this.isPrimary) return false
    this.drawCursor(enabledElement.viewport, svg, hover, editor)
    return true
  }

  protected drawCursor(_viewport: Viewport, svg: ToolTypes.SVGDrawingHelper, hover: NonNullable<LabelmapGestureTool['hover']>, editor: SegmentEditor) {
    drawing.drawCircle(svg, this.getToolName(), 'cursor', hover.canvas, editor.brushRadiusMm() / hover.mmPerPixel, { color: 'rgb(255, 220, 0)', lineWidth: 1 })
  }
}

/** Brush, eraser and threshold brush: a stroke of circles (or spheres) along the drag. */
abstract class StrokeTool extends LabelmapGestureTool {
  protected abstract readonly stroke: 'SegmentBrush' | 'SegmentEraser' | 'ThresholdBrush'

  protected gesture(start: Pointer, points: Pointer[], plane: VoxelPlane): SegmentGesture | null {
    // The stroke leaves out the stretches dragged off the image.
    const centres = points.filter((point) => insideFrame(point.frame, point.ijk)).map((point) => point.ijk)
    return centres.length ? { kind: 'stroke', tool: this.stroke, centres, plane, viewportId: start.viewport.id as ViewportId } : null
  }

  /** The cursor, and while dragging the stroke's swath (written to the document on release, as one transaction). */
  protected override drawCursor(viewport: Viewport, svg: ToolTypes.SVGDrawingHelper, hover: NonNullable<LabelmapGestureTool['hover']>, editor: SegmentEditor) {
    super.drawCursor(viewport, svg, hover, editor)
    const drag = this.drag
    if (!drag || drag.start.viewport.id !== viewport.id || drag.points.length < 2) return
    const colour = this.stroke === 'SegmentEraser' ? 'rgba(160, 160, 160, 0.4)' : 'rgba(255, 220, 0, 0.4)'
    drawing.drawPolyline(
      svg,
      this.getToolName(),
      'swath',
      drag.points.map((point) => point.canvas),
      { color: colour, lineWidth: (2 * editor.brushRadiusMm()) / hover.mmPerPixel, fillOpacity: 0 },
    )
  }
}

export class SegmentBrushTool extends StrokeTool {
  static toolName = 'SegmentBrush' satisfies SegmentToolId
  protected readonly stroke = 'SegmentBrush'
}

export class SegmentEraserTool extends StrokeTool {
  static toolName = 'SegmentEraser' satisfies SegmentToolId
  protected readonly stroke = 'SegmentEraser'
}

export class ThresholdBrushTool extends StrokeTool {
  static toolName = 'ThresholdBrush' satisfies SegmentToolId
  protected readonly stroke = 'ThresholdBrush'
}

/** Scissors: a rectangle (corner to corner) or a circle or sphere (centre to rim), filled or erased on release. */
export class SegmentScissorsTool extends LabelmapGestureTool {
  static toolName = 'SegmentScissors' satisfies SegmentToolId

  protected gesture(start: Pointer, points: Pointer[], plane: VoxelPlane): SegmentGesture | null {
    const end = points.at(-1)!
    if (end === start) return null
    return { kind: 'scissors', start: start.ijk, end: end.ijk, radiusMm: distanceMm(start.world, end.world), plane, viewportId: start.viewport.id as ViewportId }
  }

  protected override drawCursor(viewport: Viewport, svg: ToolTypes.SVGDrawingHelper, hover: NonNullable<LabelmapGestureTool['hover']>, editor: SegmentEditor) {
    const drag = this.drag
    const style = { color: 'rgb(255, 220, 0)', lineWidth: 1, lineDash: '4,4' }
    if (!drag || drag.start.viewport.id !== viewport.id) {
      drawing.drawCircle(svg, this.getToolName(), 'cursor', hover.canvas, 3, { color: 'rgb(255, 220, 0)', lineWidth: 1 })
      return
    }
    const start = drag.start.canvas
    if (editor.scissorsShape() === 'rectangle')
      drawing.drawRectByCoordinates(svg, this.getToolName(), 'outline', [start, [hover.canvas[0], start[1]], [start[0], hover.canvas[1]], hover.canvas], style)
    else drawing.drawCircle(svg, this.getToolName(), 'outline', start, Math.hypot(hover.canvas[0] - start[0], hover.canvas[1] - start[1]), style)
  }
}

/** Region grow: a click seeds a flood fill within the intensity range. */
export class RegionGrowTool extends LabelmapGestureTool {
  static toolName = 'RegionGrow' satisfies SegmentToolId

  protected gesture(start: Pointer, _points: Pointer[], plane: VoxelPlane): SegmentGesture {
    return { kind: 'grow', seed: start.ijk, plane, viewportId: start.viewport.id as ViewportId }
  }

  protected override drawCursor(_viewport: Viewport, svg: ToolTypes.SVGDrawingHelper, hover: NonNullable<LabelmapGestureTool['hover']>) {
    drawing.drawCircle(svg, this.getToolName(), 'cursor', hover.canvas, 4, { color: 'rgb(255, 220, 0)', lineWidth: 1 })
  }
}

/**
 * Clicks for the interactive model: primary = positive, Shift+primary = negative (its tool
 * group binds both). It edits nothing itself; the interactive-model panel listens to
 * `segment-click` and writes the refined segment.
 */
export class SegmentClickTool extends LabelmapGestureTool {
  static toolName = 'SegmentClick' satisfies SegmentToolId

  protected gesture(start: Pointer, _points: Pointer[], _plane: VoxelPlane, mouse: MouseEvent | undefined): null {
    session?.emit('segment-click', { ijk: start.ijk, positive: !mouse?.shiftKey, viewportId: start.viewport.id as ViewportId })
    return null
  }

  protected override drawCursor(_viewport: Viewport, svg: ToolTypes.SVGDrawingHelper, hover: NonNullable<LabelmapGestureTool['hover']>) {
    drawing.drawCircle(svg, this.getToolName(), 'cursor', hover.canvas, 5, { color: 'rgb(0, 220, 255)', lineWidth: 1 })
  }
}
