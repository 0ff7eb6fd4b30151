import { windowPresets } from './presets'
import { toolForHotkey, tools, type ToolId } from './tool-registry'

// OHIF's default hotkeys, so readers do not have to relearn them. The keys that choose a
// tool are the tool registry's (z for Zoom as in OHIF; w and s for W/L and Scroll as in
// OHIF's first viewer).
export type ViewerCommand =
  | { type: 'zoom-in' }
  | { type: 'zoom-out' }
  | { type: 'zoom-fit' }
  | { type: 'rotate-right' }
  | { type: 'rotate-left' }
  | { type: 'flip-horizontal' }
  | { type: 'flip-vertical' }
  | { type: 'invert' }
  | { type: 'cine' }
  | { type: 'reset' }
  | { type: 'next-image' }
  | { type: 'previous-image' }
  | { type: 'first-image' }
  | { type: 'last-image' }
  | { type: 'preset'; presetId: string }
  | { type: 'tool'; toolId: ToolId }

const fixed: Record<string, ViewerCommand> = {
  '+': { type: 'zoom-in' },
  '=': { type: 'zoom-fit' },
  '-': { type: 'zoom-out' },
  r: { type: 'rotate-right' },
  l: { type: 'rotate-left' },
  h: { type: 'flip-horizontal' },
  v: { type: 'flip-vertical' },
  i: { type: 'invert' },
  c: { type: 'cine' },
  ' ': { type: 'reset' },
  ArrowDown: { type: 'next-image' },
  ArrowUp: { type: 'previous-image' },
  PageDown: { type: 'next-image' },
  PageUp: { type: 'previous-image' },
  Home: { type: 'first-image' },
  End: { type: 'last-image' },
}

export const hotkeyHelp: { keys: string; action: string }[] = [
  { keys: '↑ ↓', action: 'previous / next image' },
  { keys: 'Home End', action: 'first / last image' },
  { keys: '+ − =', action: 'zoom in / out / fit' },
  { keys: 'r l', action: 'rotate right / left' },
  { keys: 'h v', action: 'flip horizontal / vertical' },
  { keys: 'i', action: 'invert' },
  { keys: 'c', action: 'cine' },
  { keys: 'space', action: 'reset view' },
  ...windowPresets.map((preset) => ({ keys: preset.hotkey, action: `${preset.label} window` })),
  ...tools.flatMap((tool) => (tool.hotkey ? [{ keys: tool.hotkey, action: `${tool.label} tool` }] : [])),
]

/** The keys of a view command, as the help names them. */
export function keysForCommand(type: ViewerCommand['type']): string[] {
  return Object.entries(fixed).flatMap(([key, command]) => (command.type === type ? [key === ' ' ? 'space' : key] : []))
}

/** The keys taken by view commands and window presets (tool keys are the registry's). */
export const viewCommandKeys: readonly string[] = [...Object.keys(fixed), ...windowPresets.map((preset) => preset.hotkey)]

export function commandForKey(key: string, modifiers: { ctrl: boolean; meta: boolean; alt: boolean }): ViewerCommand | null {
  if (modifiers.ctrl || modifiers.meta || modifiers.alt) return null
  const preset = windowPresets.find((candidate) => candidate.hotkey === key)
  if (preset) return { type: 'preset', presetId: preset.id }
  const tool = toolForHotkey(key)
  if (tool) return { type: 'tool', toolId: tool.id }
  return fixed[key] ?? null
}
