'use client'
import type { ModelSummary } from '../inference/model-summary'

// A classifier's result in the model panel: the decision at the manifest's operating point,
// the series' (highest slice's) calibrated probability and the shown slice's.

export function ClassificationSummary({ model, seriesProbability, sliceProbability }: { model: ModelSummary; seriesProbability: number; sliceProbability: number | null }) {
  const { decisionThreshold, temperature } = model.manifest.parallax.postprocessing
  const label = model.manifest.parallax.labels[0]!.name
  const positive = decisionThreshold !== undefined && seriesProbability >= decisionThreshold
  return (
    <div
      data-testid="classification-summary"
      data-series-probability={seriesProbability}
      data-decision={positive ? 'positive' : 'negative'}
      data-slice-probability={sliceProbability ?? ''}
    >
      <div style={{ fontSize: '1rem' }}>
        <strong className={positive ? 'warn' : undefined}>{positive ? label : `No ${label.toLowerCase()}`}</strong>
      </div>
      <div className="muted" style={{ fontSize: '.8rem' }}>
        Series (highest slice): {(100 * seriesProbability).toFixed(1)}%{sliceProbability !== null ? ` · this slice: ${(100 * sliceProbability).toFixed(1)}%` : ''}
        {decisionThreshold !== undefined ? ` · operating point ${(100 * decisionThreshold).toFixed(1)}%` : ''} · calibrated (temperature {temperature.toFixed(2)})
      </div>
    </div>
  )
}
