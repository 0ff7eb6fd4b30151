'use client'
import { useEffect, useRef } from 'react'
import type { IngestResult } from '../dicom/types'

function Thumbnail({ imageId }: { imageId: string | undefined }) {
  const canvas = useRef<HTMLCanvasElement>(null)
  useEffect(() => {
    if (!imageId || !canvas.current) return
    const target = canvas.current
    let cancelled = false
    void import('@cornerstonejs/core').then(({ utilities }) => {
      if (!cancelled) utilities.loadImageToCanvas({ canvas: target, imageId, thumbnail: true }).catch(() => undefined)
    })
    return () => {
      cancelled = true
    }
  }, [imageId])
  return <canvas ref={canvas} width={64} height={64} aria-hidden />
}

/** Patient → study → series, with a thumbnail of each series' middle image. */
export function SeriesBrowser({
  result,
  imageIdsBySeries,
  selected,
  onSelect,
}: {
  result: IngestResult
  imageIdsBySeries: Map<string, string[]>
  selected: string | null
  onSelect: (seriesUid: string) => void
}) {
  return (
    <nav aria-label="Series" data-testid="series-browser">
      {result.patients.map((patient) => (
        <div key={patient.patientId + patient.patientName}>
          <div style={{ fontWeight: 600, fontSize: '.85rem' }}>{patient.patientName || 'Anonymous'}</div>
          {patient.studies.map((study) => (
            <div key={study.studyInstanceUid} style={{ marginBottom: '.5rem' }}>
              <div className="muted" style={{ fontSize: '.8rem' }}>
                {study.studyDate} {study.studyDescription}
              </div>
              {study.generatedUid && (
                <div className="warn" style={{ fontSize: '.75rem' }} data-testid="generated-study" title={study.studyInstanceUid}>
                  No Study Instance UID in the files: study generated
                </div>
              )}
              {study.series.map((series) => {
                const imageIds = imageIdsBySeries.get(series.seriesInstanceUid) ?? []
                return (
                  <button
                    key={series.seriesInstanceUid}
                    type="button"
                    className="series-item"
                    data-testid="series-item"
                    data-series-uid={series.seriesInstanceUid}
                    aria-current={selected === series.seriesInstanceUid}
                    onClick={() => onSelect(series.seriesInstanceUid)}
                  >
                    <Thumbnail imageId={imageIds[Math.floor(imageIds.length / 2)]} />
                    <span className="series-meta">
                      <div>
                        {series.modality} {series.seriesNumber ?? ''} {series.seriesDescription}
                      </div>
                      <div className="muted">
                        {series.instances.length} image{series.instances.length === 1 ? '' : 's'}
                        {series.frameCount > series.instances.length ? ` · ${series.frameCount} frames` : ''}
                        {series.geometry.isVolume ? ' · volume' : ''}
                      </div>
                      {series.geometry.warnings.length > 0 && <div className="warn">{series.geometry.warnings.length} geometry warning(s)</div>}
                    </span>
                  </button>
                )
              })}
            </div>
          ))}
        </div>
      ))}
    </nav>
  )
}
