'use client'
import { diceColour, diceHistogram, type AgreementMatrix } from './dashboard-figures'

// The dashboard's two figures, drawn as SVG (no chart library): the pairwise agreement
// matrix as a heat map, and the distribution of Dice over every study, segment and pair.

const cell = 56
const labelWidth = 120

export function AgreementHeatMap({ matrix }: { matrix: AgreementMatrix }) {
  const n = matrix.annotators.length
  if (n < 2) return <p className="muted">Agreement needs two annotators.</p>
  const width = labelWidth + n * cell
  const height = labelWidth / 2 + n * cell
  return (
    <svg width={width} height={height} role="img" aria-label="Pairwise agreement (mean Dice)" data-testid="agreement-heatmap">
      {matrix.annotators.map((annotator, i) => (
        <g key={annotator.id}>
          <text x={labelWidth - 6} y={labelWidth / 2 + i * cell + cell / 2 + 4} textAnchor="end" fontSize="12" fill="currentColor">
            {annotator.name}
          </text>
          <text x={labelWidth + i * cell + cell / 2} y={labelWidth / 2 - 8} textAnchor="middle" fontSize="12" fill="currentColor">
            {annotator.name.slice(0, 8)}
          </text>
        </g>
      ))}
      {matrix.dice.map((row, i) =>
        row.map((dice, j) => (
          <g key={`${i}-${j}`} data-testid="agreement-cell" data-dice={dice ?? ''} data-pair={`${matrix.annotators[i]!.id}|${matrix.annotators[j]!.id}`}>
            <rect x={labelWidth + j * cell} y={labelWidth / 2 + i * cell} width={cell - 2} height={cell - 2} fill={diceColour(dice)}>
              <title>
                {matrix.annotators[i]!.name} / {matrix.annotators[j]!.name}: {dice === null ? 'no record' : `mean Dice ${dice.toFixed(3)} over ${matrix.counts[i]![j]}`}
              </title>
            </rect>
            <text x={labelWidth + j * cell + cell / 2 - 1} y={labelWidth / 2 + i * cell + cell / 2 + 4} textAnchor="middle" fontSize="12" fill="#fff">
              {dice === null ? '–' : dice.toFixed(2)}
            </text>
          </g>
        )),
      )}
    </svg>
  )
}

export function DiceDistribution({ values }: { values: readonly number[] }) {
  if (values.length === 0) return <p className="muted">No agreement computed yet.</p>
  const counts = diceHistogram(values)
  const most = Math.max(...counts)
  const [width, height, pad] = [360, 160, 24]
  const barWidth = (width - 2 * pad) / counts.length
  return (
    <svg width={width} height={height + pad} role="img" aria-label="Distribution of Dice" data-testid="dice-distribution">
      {counts.map((count, i) => {
        const barHeight = most ? ((height - pad) * count) / most : 0
        return (
          <rect
            key={i}
            x={pad + i * barWidth}
            y={height - barHeight}
            width={barWidth - 2}
            height={barHeight}
            fill={diceColour((i + 0.5) / counts.length)}
            data-testid="dice-bin"
            data-count={count}
          >
            <title>{`Dice ${(i / counts.length).toFixed(1)}–${((i + 1) / counts.length).toFixed(1)}: ${count}`}</title>
          </rect>
        )
      })}
      <line x1={pad} x2={width - pad} y1={height} y2={height} stroke="currentColor" />
      {[0, 0.5, 1].map((tick) => (
        <text key={tick} x={pad + tick * (width - 2 * pad)} y={height + 16} textAnchor="middle" fontSize="11" fill="currentColor">
          {tick}
        </text>
      ))}
    </svg>
  )
}
