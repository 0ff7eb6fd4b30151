'use client'
import { useState } from 'react'
import type { SeriesEntry } from '../dicom/study-set'
import { hotkeyHelp } from '../viewer/hotkeys'
import { formatMeasurement } from '../viewer/measurements'
import type { ViewerState } from '../viewer/use-viewer.client'
import type { PixelChecksum, Viewer } from '../viewer/viewer.client'
import type { Layout } from './study-set-store'

// The lower right panel: the measurements drawn, the series' geometry warnings, the shown
// image's details (with its decoded-pixel checksum) and the keyboard shortcuts.

export function DetailsPanel({ viewer, state, current, layout }: { viewer: Viewer | null; state: ViewerState; current: SeriesEntry | null; layout: Layout }) {
  const [checksum, setChecksum] = useState<{ imageId: string; value: PixelChecksum | null } | null>(null)
  const first = current?.first
  return (
    <>
      <h2 style={{ margin: 0 }}>Measurements</h2>
      <div data-testid="measurements">
        {state.measurements.length === 0 && <p className="muted">Choose Length, Angle, Ellipse or Rectangle and draw on the image.</p>}
        {state.measurements.map((measurement) => (
          <div
            key={measurement.uid}
            className="measurement"
            data-testid="measurement"
            data-kind={measurement.kind}
            data-value={measurement.value ?? ''}
            data-pixel-points={JSON.stringify(measurement.pixelPoints)}
            data-mean={measurement.stats?.mean ?? ''}
          >
            <strong>{measurement.kind}</strong> {formatMeasurement(measurement)}
          </div>
        ))}
      </div>
      {state.measurements.length > 0 && (
        <button type="button" onClick={() => viewer?.clearMeasurements()} data-testid="clear-measurements">
          Clear measurements
        </button>
      )}
      {current && current.series.geometry.warnings.length > 0 && (
        <section data-testid="geometry-warnings">
          <h2>Geometry</h2>
          {layout === 'mpr' && (
            <p className="warn" style={{ fontSize: '.8rem' }}>
              MPR assumes even slice spacing: distances across these irregularities are approximate.
            </p>
          )}
          <ul style={{ paddingLeft: '1rem', fontSize: '.8rem' }}>
            {current.series.geometry.warnings.map((warning, index) => (
              <li key={index} className="warn">
                {warning.message}
              </li>
            ))}
          </ul>
        </section>
      )}
      {first && state.image && (
        <section data-testid="image-details" style={{ fontSize: '.8rem' }}>
          <h2>Image</h2>
          <div className="muted">
            {first.columns}×{first.rows}
            {first.pixelSpacing ? ` · ${first.pixelSpacing[1].toFixed(3)}×${first.pixelSpacing[0].toFixed(3)} mm` : ' · no pixel spacing'}
          </div>
          <div className="muted" data-testid="transfer-syntax">
            {first.transferSyntaxUid}
          </div>
          <button
            type="button"
            data-testid="compute-checksum"
            onClick={async () => {
              const imageId = state.image?.imageId ?? ''
              setChecksum({ imageId, value: (await viewer?.pixelChecksum()) ?? null })
            }}
          >
            Decoded pixel checksum
          </button>
          {checksum &&
            checksum.imageId === state.image.imageId &&
            (checksum.value ? (
              <div style={{ marginTop: '.3rem' }}>
                <code data-testid="pixel-sha256" style={{ wordBreak: 'break-all', display: 'block' }}>
                  {checksum.value.sha256}
                </code>
                <div className="muted" data-testid="pixel-layout">
                  {checksum.value.arrayType} · {checksum.value.length} values · {checksum.value.min}…{checksum.value.max}
                </div>
              </div>
            ) : (
              <div className="muted">The image is not decoded yet.</div>
            ))}
        </section>
      )}
      <details>
        <summary className="muted">Keyboard shortcuts</summary>
        <table style={{ fontSize: '.8rem' }}>
          <tbody>
            {hotkeyHelp.map((entry) => (
              <tr key={entry.keys}>
                <td>
                  <code>{entry.keys}</code>
                </td>
                <td>{entry.action}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </>
  )
}
