'use client'
import { useEffect, useRef } from 'react'
import type { ViewerLayout } from './events'
import { keysForCommand, type ViewerCommand } from './hotkeys'
import { windowPresets } from './presets'
import { effectiveTool, isSegmentationTool, toolsForLayout, type ToolId } from './tool-registry'

// One row of compact buttons, grouped as in OHIF: the tools (from the tool registry), the
// window presets with the rarely used view operations behind "More", then the layout.

export interface ToolbarProps {
  tool: ToolId
  onTool(tool: ToolId): void
  run(command: ViewerCommand): void
  layout: ViewerLayout
  onLayout(layout: ViewerLayout): void
  /** Whether a series is shown (the layouts need one). */
  hasSeries: boolean
  mpr: { allowed: boolean; caveats: string[]; reason: string | null } | null
  cinePlaying: boolean
}

export function Icon({ path }: { path: string }) {
  return (
    <svg viewBox="0 0 16 16" aria-hidden="true" focusable="false">
      <path d={path} />
    </svg>
  )
}

const viewOperations: { testId: string; label: string; command: ViewerCommand }[] = [
  { testId: 'rotate', label: 'Rotate 90°', command: { type: 'rotate-right' } },
  { testId: 'flip-h', label: 'Flip horizontally', command: { type: 'flip-horizontal' } },
  { testId: 'flip-v', label: 'Flip vertically', command: { type: 'flip-vertical' } },
  { testId: 'invert', label: 'Invert', command: { type: 'invert' } },
  { testId: 'cine', label: 'Cine', command: { type: 'cine' } },
  { testId: 'reset', label: 'Reset view', command: { type: 'reset' } },
]

const stackIcon = 'M2 2h12v12H2z'
const mprIcon = 'M2 2h12v12H2zM10 2v12M10 8h4'
const moreIcon = 'M2.5 8a1 1 0 1 0 2 0a1 1 0 1 0-2 0zM7 8a1 1 0 1 0 2 0a1 1 0 1 0-2 0zM11.5 8a1 1 0 1 0 2 0a1 1 0 1 0-2 0z'

export function Toolbar({ tool, onTool, run, layout, onLayout, hasSeries, mpr, cinePlaying }: ToolbarProps) {
  const more = useRef<HTMLDetailsElement>(null)
  const active = effectiveTool(tool, layout).id

  // The menu closes on a click elsewhere or Escape, like any menu.
  useEffect(() => {
    const close = (event: Event) => {
      const menu = more.current
      if (!menu?.open) return
      if (event instanceof KeyboardEvent ? event.key === 'Escape' : !menu.contains(event.target as Node)) menu.open = false
    }
    document.addEventListener('pointerdown', close)
    document.addEventListener('keydown', close)
    return () => {
      document.removeEventListener('pointerdown', close)
      document.removeEventListener('keydown', close)
    }
  }, [])

  return (
    <div className="toolbar" role="toolbar" aria-label="Viewer tools" data-testid="viewer-toolbar">
      <div className="toolbar-group" role="group" aria-label="Tools">
        {toolsForLayout(layout)
          .filter((entry) => !isSegmentationTool(entry))
          .map((entry) => (
            <button
              key={entry.id}
              type="button"
              aria-pressed={active === entry.id}
              aria-label={entry.label}
              title={entry.hotkey ? `${entry.description} (${entry.hotkey})` : entry.description}
              data-testid={`tool-${entry.id}`}
              onClick={() => onTool(entry.id)}
            >
              <Icon path={entry.icon} />
            </button>
          ))}
      </div>
      <div className="toolbar-group" role="group" aria-label="View">
        <select
          aria-label="Window preset"
          title="Window presets (keys 1–5)"
          data-testid="window-preset"
          value=""
          onChange={(event) => run({ type: 'preset', presetId: event.target.value })}
        >
          <option value="">Window…</option>
          {windowPresets.map((preset) => (
            <option key={preset.id} value={preset.id}>
              {preset.label} ({preset.width}/{preset.center})
            </option>
          ))}
        </select>
        <details className="toolbar-more" ref={more}>
          <summary aria-label="More view operations" title="Rotate, flip, invert, cine, reset" data-testid="toolbar-more" data-active={cinePlaying}>
            <Icon path={moreIcon} />
          </summary>
          <div className="toolbar-menu" role="menu">
            {viewOperations.map((operation) => (
              <button
                key={operation.testId}
                type="button"
                role="menuitem"
                data-testid={operation.testId}
                aria-pressed={operation.command.type === 'cine' ? cinePlaying : undefined}
                onClick={() => {
                  run(operation.command)
                  if (more.current) more.current.open = false
                }}
              >
                <span>{operation.label}</span>
                <kbd>{keysForCommand(operation.command.type).join(' ')}</kbd>
              </button>
            ))}
          </div>
        </details>
      </div>
      <div className="toolbar-group" role="group" aria-label="Layout">
        <button
          type="button"
          data-testid="layout-stack"
          aria-label="Stack"
          title="One image at a time"
          aria-pressed={layout === 'stack'}
          disabled={!hasSeries}
          onClick={() => onLayout('stack')}
        >
          <Icon path={stackIcon} />
        </button>
        <button
          type="button"
          data-testid="layout-mpr"
          aria-label="MPR"
          aria-pressed={layout === 'mpr'}
          disabled={!mpr?.allowed}
          title={mpr?.reason ?? (mpr?.caveats.length ? `MPR with caveats: ${mpr.caveats.join(' ')}` : 'MPR: axial, sagittal and coronal')}
          onClick={() => onLayout('mpr')}
        >
          <Icon path={mprIcon} />
        </button>
      </div>
    </div>
  )
}
