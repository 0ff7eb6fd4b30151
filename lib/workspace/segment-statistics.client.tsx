'use client'
import type { Segment } from '../annotation/labelmap-document'
import type { SegmentFigures } from './editing'

// The segments panel's statistics: volume (mL) and modality values (mean, SD, min, max) per
// segment, as computed for a version of the document (marked out of date after an edit).

const figure = (value: number | null, digits = 1) => (value !== null && Number.isFinite(value) ? value.toFixed(digits) : '—')

export function StatisticsTable({ figures, segments, stale }: { figures: SegmentFigures[]; segments: readonly Segment[]; stale: boolean }) {
  return (
    <table className="segment-statistics" data-testid="segment-statistics" data-stale={stale ? 'true' : 'false'}>
      <caption>{stale ? 'Statistics (out of date: labels changed since)' : 'Statistics'}</caption>
      <thead>
        <tr>
          <th>Segment</th>
          <th>Volume (mL)</th>
          <th>Mean</th>
          <th>SD</th>
          <th>Min</th>
          <th>Max</th>
        </tr>
      </thead>
      <tbody>
        {figures.map((row) => (
          <tr key={row.segment} data-testid={`segment-statistics-${row.segment}`} data-voxels={row.voxels}>
            <td>{segments.find((segment) => segment.number === row.segment)?.name ?? row.segment}</td>
            <td>{figure(row.volumeMl, 2)}</td>
            <td>{figure(row.mean)}</td>
            <td>{figure(row.sd)}</td>
            <td>{figure(row.min)}</td>
            <td>{figure(row.max)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}
