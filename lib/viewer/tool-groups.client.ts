import 'client-only'
import {
  AngleTool,
  CrosshairsTool,
  EllipticalROITool,
  Enums as ToolEnums,
  LengthTool,
  PanTool,
  RectangleROITool,
  StackScrollTool,
  ToolGroupManager,
  WindowLevelTool,
  ZoomTool,
  type Types as ToolTypes,
} from '@cornerstonejs/tools'
import type { ViewerLayout } from './events'
import { RegionGrowTool, SegmentBrushTool, SegmentClickTool, SegmentEraserTool, SegmentScissorsTool, ThresholdBrushTool } from './segment-tools.client'
import { effectiveTool, toolsForLayout, type MouseBinding, type Tool, type ToolClassKey, type ToolId } from './tool-registry'

// The one place where the registry's tools meet Cornerstone's classes: registering them,
// building a layout's tool group, and moving the primary mouse button between tools.

/** The Cornerstone class of each registry `toolClass` (the compiler checks none is missing). */
export const toolClasses: Record<ToolClassKey, { toolName: string }> = {
  WindowLevel: WindowLevelTool,
  Pan: PanTool,
  Zoom: ZoomTool,
  StackScroll: StackScrollTool,
  Length: LengthTool,
  Angle: AngleTool,
  EllipticalROI: EllipticalROITool,
  RectangleROI: RectangleROITool,
  Crosshairs: CrosshairsTool,
  SegmentBrush: SegmentBrushTool,
  SegmentEraser: SegmentEraserTool,
  ThresholdBrush: ThresholdBrushTool,
  SegmentScissors: SegmentScissorsTool,
  RegionGrow: RegionGrowTool,
  SegmentClick: SegmentClickTool,
}

const mouseButtons: Record<MouseBinding, ToolEnums.MouseBindings> = {
  primary: ToolEnums.MouseBindings.Primary,
  secondary: ToolEnums.MouseBindings.Secondary,
  auxiliary: ToolEnums.MouseBindings.Auxiliary,
  wheel: ToolEnums.MouseBindings.Wheel,
}

const bind = (group: ToolTypes.IToolGroup, tool: Tool, binding: MouseBinding) =>
  group.setToolActive(tool.id, {
    // Editing tools also take Shift+primary (the Click tool's negative click), which Cornerstone matches as a binding of its own.
    bindings:
      binding === 'primary' && tool.kind.type === 'segmentation'
        ? [{ mouseButton: mouseButtons.primary }, { mouseButton: mouseButtons.primary, modifierKey: ToolEnums.KeyboardBindings.Shift }]
        : [{ mouseButton: mouseButtons[binding] }],
  })

/** A fresh tool group with the layout's tools, each in its starting mode. */
export function createToolGroup(id: string, layout: ViewerLayout): ToolTypes.IToolGroup {
  ToolGroupManager.destroyToolGroup(id)
  const group = ToolGroupManager.createToolGroup(id)
  if (!group) throw new Error('could not create a Cornerstone tool group')
  const available = toolsForLayout(layout)
  for (const tool of available) {
    const className = toolClasses[tool.toolClass].toolName
    if (className === tool.id) group.addTool(tool.id)
    else group.addToolInstance(tool.id, className)
  }
  for (const tool of available) {
    if (tool.binding) bind(group, tool, tool.binding)
    // Measurements start passive, so what was drawn can be edited whatever tool is chosen.
    else if (tool.kind.type === 'measurement') group.setToolPassive(tool.id)
  }
  return group
}

/** Gives the primary mouse button to `id` (or the default tool where it does not apply); returns the tool that got it. */
export function setPrimaryTool(group: ToolTypes.IToolGroup, id: ToolId, layout: ViewerLayout): Tool {
  const tool = effectiveTool(id, layout)
  const available = toolsForLayout(layout)
  const current = available.find((candidate) => candidate.id === group.getActivePrimaryMouseButtonTool())
  if (current && current.id !== tool.id) {
    // Tools that draw stay passive so their annotations (and crosshair lines) can still be edited;
    // editing tools draw only a cursor, and disabling drops their Shift binding too.
    if (current.kind.type === 'navigation' || current.kind.type === 'segmentation') group.setToolDisabled(current.id)
    else group.setToolPassive(current.id)
  }
  bind(group, tool, 'primary')
  // Panning, zooming and scrolling keep their other buttons whatever is primary.
  for (const other of available) {
    if (other.id !== tool.id && other.binding && other.binding !== 'primary') bind(group, other, other.binding)
  }
  return tool
}
