import Link from 'next/link'
import type { ReaderAgreementReport } from './agreement.server'

// The auditor's agreement figures per model, with a stacked bar of the reader's decisions
// (plain SVG: no chart library for three bars), and the discordance list.

const percent = (value: number | null) => (value === null ? '—' : `${(100 * value).toFixed(1)}%`)
const decimal = (value: number | null) => (value === null ? '—' : value.toFixed(3))

const segments = [
  { key: 'accepted', label: 'Accepted', color: '#3fa46a' },
  { key: 'modified', label: 'Modified', color: '#d9a03f' },
  { key: 'rejected', label: 'Rejected', color: '#d0524a' },
  { key: 'added', label: 'Added by reader', color: '#5b8fd9' },
] as const

function DecisionBar({ counts }: { counts: Record<(typeof segments)[number]['key'], number> }) {
  const total = segments.reduce((sum, segment) => sum + counts[segment.key], 0)
  let x = 0
  return (
    <svg width="240" height="16" role="img" aria-label={segments.map((segment) => `${segment.label} ${counts[segment.key]}`).join(', ')}>
      <rect width="240" height="16" fill="#22303c" />
      {total > 0 &&
        segments.map((segment) => {
          const width = (240 * counts[segment.key]) / total
          const rect = <rect key={segment.key} x={x} width={width} height="16" fill={segment.color} />
          x += width
          return rect
        })}
    </svg>
  )
}

export function AgreementView({ report }: { report: ReaderAgreementReport }) {
  return (
    <section data-testid="agreement" data-reads={report.reads}>
      <h2>AI against the final read</h2>
      <p className="muted" style={{ fontSize: '.8rem' }}>
        Over {report.reads} signed read{report.reads === 1 ? '' : 's'} (the newest signed version of each), per model version. Rates are over the AI findings the readers decided;
        sensitivity is the share of the final read&apos;s findings that the AI proposed; Cohen&apos;s κ is over AI findings, reader-added findings and reads where the model ran and
        neither found anything.{' '}
        {segments.map((segment) => (
          <span key={segment.key} style={{ marginRight: '.6rem' }}>
            <span style={{ display: 'inline-block', width: '.7rem', height: '.7rem', background: segment.color, marginRight: '.2rem' }} />
            {segment.label}
          </span>
        ))}
      </p>
      {report.models.length === 0 ? (
        <p className="muted">No signed read holds AI findings yet.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>Model</th>
              <th>Reads</th>
              <th>AI findings</th>
              <th>Decisions</th>
              <th>Accepted</th>
              <th>Modified</th>
              <th>Rejected</th>
              <th>Added</th>
              <th>Sensitivity</th>
              <th>κ</th>
            </tr>
          </thead>
          <tbody>
            {report.models.map((model) => (
              <tr
                key={model.modelId}
                data-testid="model-agreement"
                data-model-id={model.modelId}
                data-acceptance={model.acceptanceRate ?? ''}
                data-modification={model.modificationRate ?? ''}
                data-rejection={model.rejectionRate ?? ''}
                data-sensitivity={model.sensitivity ?? ''}
                data-kappa={model.kappa ?? ''}
                data-counts={JSON.stringify({ accepted: model.accepted, modified: model.modified, rejected: model.rejected, added: model.added })}
              >
                <td>
                  <Link href={`/audit?model=${encodeURIComponent(model.modelId.split('@')[0]!)}`}>{model.modelId.replace('@', ' ')}</Link>
                </td>
                <td>{model.reads}</td>
                <td>{model.aiFindings}</td>
                <td>
                  <DecisionBar counts={model} />
                </td>
                <td>{percent(model.acceptanceRate)}</td>
                <td>{percent(model.modificationRate)}</td>
                <td>{percent(model.rejectionRate)}</td>
                <td>{model.added}</td>
                <td>{percent(model.sensitivity)}</td>
                <td>{decimal(model.kappa)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h3>Discordance ({report.discordant.length})</h3>
      {report.discordant.length === 0 ? (
        <p className="muted">Readers and AI agree on every signed finding.</p>
      ) : (
        <table data-testid="discordance">
          <thead>
            <tr>
              <th>Signed (UTC)</th>
              <th>Study</th>
              <th>Reader</th>
              <th>Finding</th>
              <th>Disagreement</th>
              <th>Model</th>
              <th>Reason</th>
            </tr>
          </thead>
          <tbody>
            {report.discordant.map((entry) => (
              <tr key={`${entry.readId}-${entry.ordinal}`} data-testid="discordant-finding" data-kind={entry.kind} data-read-id={entry.readId}>
                <td>{entry.signedAt.replace('T', ' ').slice(0, 19)}</td>
                <td>
                  <Link href={`/viewer?read=${entry.readId}`}>{entry.studyDescription || entry.studyInstanceUid}</Link> v{entry.readVersion}
                </td>
                <td>{entry.reader}</td>
                <td>
                  #{entry.ordinal} {entry.label}
                </td>
                <td>{entry.kind === 'reader-added' ? 'AI missed it' : 'Reader rejected the AI'}</td>
                <td>{entry.modelId ? `${entry.modelId} ${entry.modelVersion ?? ''}${entry.probability !== null ? ` (p ${entry.probability.toFixed(2)})` : ''}` : '—'}</td>
                <td className="muted">
                  {entry.reason ?? ''}
                  {entry.note ? `: ${entry.note}` : ''}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  )
}
