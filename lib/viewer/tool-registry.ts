import type { ViewerLayout } from './events'
import type { MeasurementKind } from './measurements'

// Every viewer tool, named once. The toolbar, the Cornerstone tool groups and their mouse
// bindings (tool-groups.client.ts), the tool hotkeys (hotkeys.ts) and the measurement
// kinds read from annotations (measurements.ts) all derive from this table.

export type MouseBinding = 'primary' | 'secondary' | 'auxiliary' | 'wheel'

export type ToolKind =
  | { type: 'navigation' }
  | { type: 'measurement'; measurement: MeasurementKind }
  | { type: 'crosshairs' }
  /** Labelmap editing (segment-tools.client.ts): writes the labelmap document of the series shown. */
  | { type: 'segmentation' }

export interface ToolDefinition {
  /**
   * The name the tool has in a tool group, which Cornerstone also writes into each
   * annotation's metadata; the toolbar button's test id is `tool-<id>`.
   */
  id: string
  /**
   * Key of the Cornerstone tool class in tool-groups.client.ts. It differs from `id` for a
   * configured instance of a class, as Cornerstone's brush variants (circular, spherical…)
   * are instances of one BrushTool.
   */
  toolClass: string
  /** Short label (aria-label) and a sentence for the tooltip. */
  label: string
  description: string
  /** Toolbar icon: an SVG path in a 16×16 box, stroked. */
  icon: string
  /**
   * The mouse button the tool holds from the start. 'primary' makes it the default tool;
   * the other buttons stay bound to their tools whichever tool holds the primary one.
   */
  binding: MouseBinding | null
  /** A key that makes it the primary tool (OHIF's defaults where it has one). */
  hotkey: string | null
  kind: ToolKind
  /** The layouts whose tool group has it (Crosshairs link the planes of an MPR). */
  layouts: readonly ViewerLayout[]
}

const both = ['stack', 'mpr'] as const

export const tools = [
  {
    id: 'WindowLevel',
    toolClass: 'WindowLevel',
    label: 'W/L',
    description: 'Window / level: drag to change contrast and brightness',
    icon: 'M8 2a6 6 0 1 0 0 12A6 6 0 1 0 8 2zM8 2v12M8 5h5M8 8h6M8 11h5',
    binding: 'primary',
    hotkey: 'w',
    kind: { type: 'navigation' },
    layouts: both,
  },
  {
    id: 'Pan',
    toolClass: 'Pan',
    label: 'Pan',
    description: 'Pan (also the middle mouse button)',
    icon: 'M8 1v14M1 8h14M6 3l2-2 2 2M6 13l2 2 2-2M3 6L1 8l2 2M13 6l2 2-2 2',
    binding: 'auxiliary',
    hotkey: null,
    kind: { type: 'navigation' },
    layouts: both,
  },
  {
    id: 'Zoom',
    toolClass: 'Zoom',
    label: 'Zoom',
    description: 'Zoom (also the right mouse button)',
    icon: 'M7 2a5 5 0 1 0 0 10A5 5 0 1 0 7 2zM10.5 10.5L15 15M5 7h4M7 5v4',
    binding: 'secondary',
    hotkey: 'z',
    kind: { type: 'navigation' },
    layouts: both,
  },
  {
    id: 'StackScroll',
    toolClass: 'StackScroll',
    label: 'Scroll',
    description: 'Scroll through the slices by dragging (also the mouse wheel)',
    icon: 'M5 2h9v9M2 5h9v9H2zM6.5 7.5v4M5 10l1.5 1.5L8 10',
    binding: 'wheel',
    hotkey: 's',
    kind: { type: 'navigation' },
    layouts: both,
  },
  {
    id: 'Length',
    toolClass: 'Length',
    label: 'Length',
    description: 'Length measurement, in mm',
    icon: 'M2.5 13.5l11-11M1 11l4 4M11 1l4 4',
    binding: null,
    hotkey: null,
    kind: { type: 'measurement', measurement: 'length' },
    layouts: both,
  },
  {
    id: 'Angle',
    toolClass: 'Angle',
    label: 'Angle',
    description: 'Angle measurement, in degrees',
    icon: 'M14 14H2l9-11M6 14a4.5 4.5 0 0 0-1.3-3.2',
    binding: null,
    hotkey: null,
    kind: { type: 'measurement', measurement: 'angle' },
    layouts: both,
  },
  {
    id: 'EllipticalROI',
    toolClass: 'EllipticalROI',
    label: 'Ellipse',
    description: 'Elliptical region: mean, SD, minimum, maximum and area',
    icon: 'M1.5 8a6.5 4.5 0 1 0 13 0a6.5 4.5 0 1 0-13 0z',
    binding: null,
    hotkey: null,
    kind: { type: 'measurement', measurement: 'ellipse' },
    layouts: both,
  },
  {
    id: 'RectangleROI',
    toolClass: 'RectangleROI',
    label: 'Rectangle',
    description: 'Rectangular region: mean, SD, minimum, maximum and area',
    icon: 'M2 4h12v8H2z',
    binding: null,
    hotkey: null,
    kind: { type: 'measurement', measurement: 'rectangle' },
    layouts: both,
  },
  {
    id: 'Crosshairs',
    toolClass: 'Crosshairs',
    label: 'Crosshairs',
    description: 'Crosshairs: point at a spot to find it in the other planes',
    icon: 'M8 1v5M8 10v5M1 8h5M10 8h5M8 6.5a1.5 1.5 0 1 0 0 3a1.5 1.5 0 1 0 0-3z',
    binding: null,
    hotkey: null,
    kind: { type: 'crosshairs' },
    layouts: ['mpr'],
  },
  {
    id: 'SegmentBrush',
    toolClass: 'SegmentBrush',
    label: 'Brush',
    description: 'Brush: paint the active segment (circle or sphere, size in the segments panel)',
    icon: 'M11 2l3 3-6 6-3-3zM5 8l3 3c-1 2-3 3-6 3 0-3 1-5 3-6z',
    binding: null,
    hotkey: null,
    kind: { type: 'segmentation' },
    layouts: both,
  },
  {
    id: 'SegmentEraser',
    toolClass: 'SegmentEraser',
    label: 'Eraser',
    description: 'Eraser: remove the active segment under the brush',
    icon: 'M9 2l5 5-6 6H4l-2-2zM6 5l5 5M4 13h10',
    binding: null,
    hotkey: null,
    kind: { type: 'segmentation' },
    layouts: both,
  },
  {
    id: 'ThresholdBrush',
    toolClass: 'ThresholdBrush',
    label: 'Threshold brush',
    description: 'Threshold brush: paint only voxels within the threshold range (modality units, e.g. HU)',
    icon: 'M8 2a6 6 0 1 0 0 12A6 6 0 1 0 8 2zM8 2v12M8 5h3M8 8h5M8 11h3',
    binding: null,
    hotkey: null,
    kind: { type: 'segmentation' },
    layouts: both,
  },
  {
    id: 'SegmentScissors',
    toolClass: 'SegmentScissors',
    label: 'Scissors',
    description: 'Scissors: drag a rectangle, circle or sphere to fill or erase the active segment',
    icon: 'M4 4a2 2 0 1 0 0.01 0zM4 12a2 2 0 1 0 0.01 0zM5.5 5.5L14 12M5.5 10.5L14 4',
    binding: null,
    hotkey: null,
    kind: { type: 'segmentation' },
    layouts: both,
  },
  {
    id: 'RegionGrow',
    toolClass: 'RegionGrow',
    label: 'Region grow',
    description: 'Region grow: click a seed; connected voxels within the range join the active segment',
    icon: 'M8 7a1 1 0 1 0 0 2a1 1 0 1 0 0-2zM8 4a4 4 0 1 0 0 8a4 4 0 1 0 0-8zM8 1v2M8 13v2M1 8h2M13 8h2',
    binding: null,
    hotkey: null,
    kind: { type: 'segmentation' },
    layouts: both,
  },
  {
    id: 'SegmentClick',
    toolClass: 'SegmentClick',
    label: 'Model clicks',
    description: 'Interactive model: click inside the structure (Shift+click outside) to refine the active segment',
    icon: 'M3 2l10 5-4 1.5L7.5 13zM9 8.5l4 4',
    binding: null,
    hotkey: null,
    kind: { type: 'segmentation' },
    layouts: both,
  },
] as const satisfies readonly ToolDefinition[]

export type ToolId = (typeof tools)[number]['id']
export type ToolClassKey = (typeof tools)[number]['toolClass']
export type Tool = (typeof tools)[number]

/** The tool the viewer starts with: the one bound to the primary button. */
export const defaultTool = tools.find((tool) => tool.binding === 'primary')!

export function toolById(id: ToolId): Tool {
  return tools.find((tool) => tool.id === id)!
}

export function toolsForLayout(layout: ViewerLayout): Tool[] {
  return tools.filter((tool) => (tool.layouts as readonly ViewerLayout[]).includes(layout))
}

/** Whether the tool edits the labelmap: the segments panel offers those, the toolbar the rest (one row fits only those). */
export const isSegmentationTool = (tool: Tool): boolean => tool.kind.type === 'segmentation'

/** The tool that holds the primary button in `layout`: the one chosen, or the default where it does not apply. */
export function effectiveTool(id: ToolId, layout: ViewerLayout): Tool {
  const tool = toolById(id)
  return (tool.layouts as readonly ViewerLayout[]).includes(layout) ? tool : defaultTool
}

export function toolForHotkey(key: string): Tool | null {
  return tools.find((tool) => tool.hotkey === key) ?? null
}

/** The measurement kind of a tool's annotations (by the tool name Cornerstone records), or null. */
export function measurementKindOf(toolName: string): MeasurementKind | null {
  const tool = tools.find((candidate) => candidate.id === toolName)
  return tool?.kind.type === 'measurement' ? tool.kind.measurement : null
}

export function toolForMeasurementKind(kind: MeasurementKind): Tool | null {
  return tools.find((tool) => tool.kind.type === 'measurement' && tool.kind.measurement === kind) ?? null
}
