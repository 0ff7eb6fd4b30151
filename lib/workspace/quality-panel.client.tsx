'use client'
import { useEffect, useMemo, useRef } from 'react'
import { seriesOfStudy } from '../dicom/study-set'
import type { QualityFinding } from '../quality/findings'
import type { Viewer } from '../viewer/viewer.client'
import { readSeriesPixels, readStudyHeaders } from './quality-reader.client'
import type { QualityStore } from './quality-store'
import type { StudySetStore } from './study-set-store'
import { useStore } from './use-store.client'

// The data-quality report (lib/quality) of the series shown and its study, beside the
// geometry warnings: header checks as soon as the headers are read, pixel checks once the
// series' images are decoded. The same findings the CLI writes as CSV.

const severityOrder: Record<QualityFinding['severity'], number> = { error: 0, warning: 1, info: 2 }

const statusText: Record<string, string> = {
  'reading-headers': 'Reading the headers…',
  'headers-read': 'The pixel checks follow once the images are decoded.',
  'reading-pixels': 'Checking the pixel values…',
  unavailable: 'The data-quality report needs the files; series from a PACS are not assessed.',
}

export function QualityPanel({ studies, quality, viewer }: { studies: StudySetStore; quality: QualityStore; viewer: Viewer | null }) {
  const { set, selected } = useStore(studies)
  const { findings, status, studyInstanceUid } = useStore(quality)
  const studyUid = selected?.first.studyInstanceUid ?? null
  const seriesUid = selected?.series.seriesInstanceUid ?? null
  // Each read belongs to one set and study; a newer one makes the older stop.
  const generation = useRef(0)
  const headers = useRef<Promise<boolean> | null>(null)
  // Likewise each pixel read belongs to one series shown.
  const pixelGeneration = useRef(0)

  useEffect(() => {
    const current = ++generation.current
    if (!set || !studyUid) {
      quality.reset(null, 'idle')
      headers.current = null
      return
    }
    const isCurrent = () => generation.current === current
    // After the shown series has loaded: read now, the headers would compete with its decoding for the CPU.
    quality.reset(studyUid, 'reading-headers')
    headers.current = (viewer?.whenLoaded() ?? Promise.resolve()).then(() => (isCurrent() ? readStudyHeaders(quality, set, seriesOfStudy(set.result, studyUid), isCurrent) : false))
  }, [set, studyUid, quality, viewer])

  useEffect(() => {
    const current = generation.current
    const pixelRead = ++pixelGeneration.current
    const isCurrent = () => generation.current === current && pixelGeneration.current === pixelRead
    // The series, not the selection: a change of layout alone does not read again.
    const entry = studies.snapshot.selected
    if (!viewer || !set || !entry || !headers.current) return
    void headers.current.then((read) => {
      if (read && isCurrent()) return readSeriesPixels(quality, viewer, entry, studies.imageIdsOf(entry.series.seriesInstanceUid), isCurrent)
    })
  }, [viewer, set, seriesUid, quality, studies])

  const shown = useMemo(
    () =>
      findings
        .filter((finding) => finding.seriesInstanceUid === '' || finding.seriesInstanceUid === seriesUid)
        .map((finding, index) => ({ finding, index }))
        .sort((a, b) => severityOrder[a.finding.severity] - severityOrder[b.finding.severity] || a.index - b.index),
    [findings, seriesUid],
  )
  // Findings with the same code and sentence (one per image) are listed once, with their count.
  const grouped = useMemo(() => {
    const groups = new Map<string, { finding: QualityFinding; count: number }>()
    for (const { finding } of shown) {
      const key = `${finding.seriesInstanceUid}|${finding.code}|${finding.sopInstanceUid ? '' : finding.message}`
      const group = groups.get(key)
      if (group) group.count++
      else groups.set(key, { finding, count: 1 })
    }
    return [...groups.values()]
  }, [shown])

  if (!selected) return null
  const busy = studyInstanceUid === studyUid ? status : 'reading-headers'
  return (
    <section data-testid="quality-panel" data-status={busy} data-count={grouped.length}>
      <h2>Data quality</h2>
      {statusText[busy] && (
        <p className="muted" style={{ fontSize: '.8rem' }}>
          {statusText[busy]}
        </p>
      )}
      {busy === 'done' && grouped.length === 0 && (
        <p className="muted" style={{ fontSize: '.8rem' }}>
          No findings.
        </p>
      )}
      {grouped.length > 0 && (
        <ul style={{ paddingLeft: '1rem', fontSize: '.8rem' }}>
          {grouped.map(({ finding, count }) => (
            <li
              key={`${finding.seriesInstanceUid}|${finding.code}|${finding.sopInstanceUid ?? finding.message}`}
              data-testid="quality-finding"
              data-code={finding.code}
              data-severity={finding.severity}
              data-count={count}
              data-scope={finding.seriesInstanceUid === '' ? 'study' : 'series'}
              className={finding.severity === 'info' ? 'muted' : finding.severity === 'error' ? 'error' : 'warn'}
            >
              <strong>{finding.severity}</strong>
              {finding.seriesInstanceUid === '' ? ' (study)' : ''}: {finding.message}
              {count > 1 ? ` (${count} images)` : ''}
            </li>
          ))}
        </ul>
      )}
    </section>
  )
}
