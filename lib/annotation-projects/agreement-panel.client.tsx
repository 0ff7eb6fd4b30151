'use client'
import { useState } from 'react'
import type { ConsensusMethod } from '../agreement/consensus'
import { allSeries, type SegmentationObject } from '../dicom/study-set'
import type { DicomSeries } from '../dicom/types'
import { downloadBlob } from '../http/download.client'
import { sha256Hex } from '../inference/model-integrity'
import { writeSeg } from '../seg/write-seg'
import { projectAgreement, readSubmittedSeg, type ProjectAgreement, type SegMasks, type StudyAgreementResult } from './browser-agreement'
import { recordAgreement, recordConsensus } from './projects.client'
import { colourRgb, type ProjectDto } from './schema'

// Agreement computed in this browser: the owner opens the submitted SEGs with the series
// they lie on (one file input, several files); each SEG is matched to its submission by SOP
// Instance UID, compared per segment and annotator pair (lib/agreement), and only the
// numbers are recorded. A consensus (STAPLE, or majority vote) is written as a SEG here and
// downloaded; the server records its UID and SHA-256.

const message = (error: unknown) => (error instanceof Error ? error.message : String(error))
const format = (value: number | null, digits: number) => (value === null ? '–' : value.toFixed(digits))

interface Computed {
  result: ProjectAgreement
  series: ReadonlyMap<string, DicomSeries>
  method: ConsensusMethod | null
}

export function AgreementPanel({ project, onChange }: { project: ProjectDto; onChange: (project: ProjectDto) => void }) {
  const [computed, setComputed] = useState<Computed | null>(null)
  const [method, setMethod] = useState<ConsensusMethod | ''>('')
  const [busy, setBusy] = useState<string | null>(null)
  const [notices, setNotices] = useState<string[]>([])
  const [status, setStatus] = useState<string | null>(null)

  async function compute(files: File[]) {
    if (files.length === 0) return
    setBusy(`Reading ${files.length} files…`)
    setStatus(null)
    setComputed(null)
    try {
      const { openLocalFiles } = await import('../dicom/ingest.client')
      const set = await openLocalFiles(
        files.map((file) => ({ name: file.name, file })),
        { source: 'local', sourceRef: null },
      )
      const held = allSeries(set.result).map((entry) => entry.series)
      const found: string[] = []
      const segs: SegMasks[] = []
      const series = new Map<string, DicomSeries>()
      for (const segmentation of set.segmentations) {
        try {
          const read = readSubmittedSeg(await segmentation.bytes(), segmentation.instance, held, project.labelSchema)
          segs.push(read.seg)
          series.set(read.series.seriesInstanceUid, read.series)
          found.push(...read.notices)
        } catch (error) {
          found.push(`SEG ${segmentation.instance.sopInstanceUid}: ${message(error)}`)
        }
      }
      if (segs.length === 0) found.push('No DICOM SEG could be read from these files.')
      setBusy('Computing agreement…')
      // Let the status paint before the arithmetic holds the main thread.
      await new Promise((resolve) => setTimeout(resolve, 0))
      const result = projectAgreement(project, segs, method || undefined)
      setComputed({ result, series, method: method || null })
      setNotices([...found, ...result.notices])
    } catch (error) {
      setNotices([`Agreement could not be computed: ${message(error)}`])
    } finally {
      setBusy(null)
    }
  }

  async function record() {
    if (!computed) return
    setBusy('Recording…')
    try {
      onChange(
        await recordAgreement(
          project.id,
          computed.result.studies.flatMap((study) => study.records),
        ),
      )
      setStatus(`Agreement recorded for ${computed.result.studies.length} ${computed.result.studies.length === 1 ? 'study' : 'studies'}.`)
    } catch (error) {
      setNotices((current) => [...current, `Agreement could not be recorded: ${message(error)}`])
    } finally {
      setBusy(null)
    }
  }

  async function exportConsensus(study: StudyAgreementResult, made: ConsensusMethod) {
    const series = computed?.series.get(study.seriesInstanceUid)
    if (!series) return
    setBusy('Writing the consensus…')
    try {
      const segments = project.labelSchema.segments.filter((segment) => study.agreement.consensus.has(String(segment.number)))
      const written = writeSeg(
        segments.map((segment) => ({
          number: segment.number,
          label: segment.name,
          color: colourRgb(segment.colour),
          category: segment.category,
          type: segment.type,
          algorithm: { type: 'AUTOMATIC', name: made === 'staple' ? 'STAPLE consensus' : 'Majority vote consensus', version: '1' },
        })),
        (number) => study.agreement.consensus.get(String(number))!.mask,
        series,
        { seriesDescription: `Consensus (${made}) of ${study.submissions.length} annotators`.slice(0, 64), createdAt: new Date(), author: 'Parallax consensus' },
      )
      const fileName = `parallax-consensus-${written.sopInstanceUid}.dcm`
      downloadBlob(fileName, new Blob([written.bytes as BlobPart], { type: 'application/dicom' }))
      onChange(
        await recordConsensus(project.id, {
          studyId: study.studyId,
          method: made,
          submissionIds: study.submissions.map((submission) => submission.submissionId),
          segSopInstanceUid: written.sopInstanceUid,
          segSha256: await sha256Hex(written.bytes),
          storedAt: 'download',
          pacsId: null,
        }),
      )
      setStatus(`Saved ${fileName}; the consensus is recorded.`)
    } catch (error) {
      setNotices((current) => [...current, `The consensus could not be exported: ${message(error)}`])
    } finally {
      setBusy(null)
    }
  }

  const names = new Map(project.studies.flatMap((study) => study.tasks.map((task) => [task.annotator.id, task.annotator.name] as const)))
  const segmentName = new Map(project.labelSchema.segments.map((segment) => [String(segment.number), segment.name]))
  return (
    <section className="card" data-testid="agreement-panel" data-state={busy ? 'busy' : computed ? 'computed' : 'idle'}>
      <h2 style={{ marginTop: 0 }}>Compute agreement</h2>
      <p className="muted">Open the submitted SEG files together with the series they segment. They are read in this browser; only the numbers are recorded.</p>
      <div className="form-row">
        <label>
          Consensus
          <select value={method} onChange={(event) => setMethod(event.target.value as ConsensusMethod | '')} data-testid="agreement-consensus-method">
            <option value="">None</option>
            <option value="staple">STAPLE</option>
            <option value="majority">Majority vote</option>
          </select>
        </label>
        <input
          type="file"
          multiple
          disabled={!!busy}
          data-testid="agreement-files"
          onChange={(event) => {
            void compute([...(event.target.files ?? [])])
            event.target.value = ''
          }}
        />
        <button type="button" disabled={!!busy || !computed?.result.studies.length} onClick={() => void record()} data-testid="agreement-record">
          Record agreement
        </button>
      </div>
      {busy && <p className="muted">{busy}</p>}
      {computed && computed.result.studies.length > 0 && (
        <table data-testid="agreement-results">
          <thead>
            <tr>
              <th>Study</th>
              <th>Segment</th>
              <th>Annotators</th>
              <th>Dice</th>
              <th>Jaccard</th>
              <th>HD95 (mm)</th>
              <th>ASSD (mm)</th>
              <th>Volume difference (mL)</th>
            </tr>
          </thead>
          <tbody>
            {computed.result.studies.flatMap((study) =>
              study.agreement.record.pairs.map((pair) => (
                <tr
                  key={`${study.studyId}/${pair.segmentKey}/${pair.annotatorA}/${pair.annotatorB}`}
                  data-testid="agreement-pair"
                  data-study-uid={study.studyInstanceUid}
                  data-segment={pair.segmentKey}
                  data-annotator-a={pair.annotatorA}
                  data-annotator-b={pair.annotatorB}
                  data-dice={pair.dice}
                  data-jaccard={pair.jaccard}
                  data-hd95-mm={pair.hd95Mm ?? ''}
                  data-assd-mm={pair.assdMm ?? ''}
                  data-volume-difference-ml={pair.volumeDifferenceMl}
                >
                  <td title={study.studyInstanceUid}>{project.studies.find((entry) => entry.id === study.studyId)?.studyDescription || study.studyInstanceUid}</td>
                  <td>{segmentName.get(pair.segmentKey) ?? pair.segmentKey}</td>
                  <td>
                    {names.get(pair.annotatorA) ?? pair.annotatorA} · {names.get(pair.annotatorB) ?? pair.annotatorB}
                  </td>
                  <td>{format(pair.dice, 4)}</td>
                  <td>{format(pair.jaccard, 4)}</td>
                  <td>{format(pair.hd95Mm, 2)}</td>
                  <td>{format(pair.assdMm, 2)}</td>
                  <td>{format(pair.volumeDifferenceMl, 3)}</td>
                </tr>
              )),
            )}
          </tbody>
        </table>
      )}
      {computed?.method &&
        computed.result.studies
          .filter((study) => study.agreement.consensus.size > 0)
          .map((study) => {
            const made = [...study.agreement.consensus.values()][0]!.method
            return (
              <div key={study.studyId} className="form-row" data-testid="agreement-consensus" data-study-uid={study.studyInstanceUid} data-method={made}>
                <span>
                  {project.studies.find((entry) => entry.id === study.studyId)?.studyDescription || study.studyInstanceUid}: consensus by{' '}
                  {made === 'staple' ? 'STAPLE' : 'majority vote'}
                  {[...new Set([...study.agreement.consensus.values()].flatMap((entry) => entry.notes))].map((note) => ` (${note})`)}
                </span>
                <button type="button" disabled={!!busy} onClick={() => void exportConsensus(study, made)} data-testid="agreement-consensus-export">
                  Export consensus SEG
                </button>
              </div>
            )
          })}
      {status && (
        <p className="muted" role="status" data-testid="agreement-status">
          {status}
        </p>
      )}
      {notices.map((notice, index) => (
        <p key={index} className="warn" data-testid="agreement-notice">
          {notice}
        </p>
      ))}
    </section>
  )
}
