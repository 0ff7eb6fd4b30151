'use client'
import type { RefObject } from 'react'
import type { ViewerLayout } from './viewer.client'
import type { EdgeLabels } from './orientation'

export interface ViewportRefs {
  main: RefObject<HTMLDivElement | null>
  axial: RefObject<HTMLDivElement | null>
  sagittal: RefObject<HTMLDivElement | null>
  coronal: RefObject<HTMLDivElement | null>
}

function Markers({ labels }: { labels?: EdgeLabels }) {
  if (!labels) return null
  return (
    <>
      <span className="marker marker-top" data-testid="orientation-top">
        {labels.top}
      </span>
      <span className="marker marker-bottom">{labels.bottom}</span>
      <span className="marker marker-left" data-testid="orientation-left">
        {labels.left}
      </span>
      <span className="marker marker-right">{labels.right}</span>
    </>
  )
}

// The stack fills the area. MPR gives the axial plane the large pane and stacks the
// sagittal and coronal beside it (or below it when the area is taller than wide; see
// .viewport-area in globals.css), so all three fill the area instead of three narrow
// columns that are mostly black. Switching layout resizes the panes; use-viewer's
// ResizeObserver then resizes Cornerstone's canvases.
export function ViewportGrid({
  refs,
  layout,
  labels,
  mainAttributes,
  overlay,
}: {
  refs: ViewportRefs
  layout: ViewerLayout
  labels: Partial<Record<string, EdgeLabels>>
  mainAttributes: Record<string, string | number>
  overlay: { topLeft: string[]; topRight: string[]; bottomLeft: string[]; bottomRight: string[] }
}) {
  const corner = (lines: string[], className: string) => (
    <div className={`overlay ${className}`}>
      {lines.map((line, index) => (
        <div key={index}>{line}</div>
      ))}
    </div>
  )
  return (
    <div className="viewport-area">
      <div className={`viewport-grid layout-${layout}`} data-testid="viewport-grid" data-layout={layout}>
        <div className="viewport-cell" data-pane="main" hidden={layout !== 'stack'}>
          <div ref={refs.main} className="viewport" data-testid="viewport-main" {...mainAttributes} />
          {corner(overlay.topLeft, 'top-left')}
          {corner(overlay.topRight, 'top-right')}
          {corner(overlay.bottomLeft, 'bottom-left')}
          {corner(overlay.bottomRight, 'bottom-right')}
          <Markers labels={labels.main} />
        </div>
        {(['axial', 'sagittal', 'coronal'] as const).map((id) => (
          <div className="viewport-cell" data-pane={id} key={id} hidden={layout !== 'mpr'}>
            <div ref={refs[id]} className="viewport" data-testid={`viewport-${id}`} />
            <div className="overlay top-left">{id[0]!.toUpperCase() + id.slice(1)}</div>
            <Markers labels={labels[id]} />
          </div>
        ))}
      </div>
    </div>
  )
}
