import type { MaskVolume } from '../agreement/mask-volume'
import { studyAgreement, type AnnotatorMasks, type StudyAgreement } from '../agreement/tables'
import type { ConsensusMethod } from '../agreement/consensus'
import type { DicomSeries } from '../dicom/types'
import { readSeg } from '../seg/read-seg'
import { SegError } from '../seg/types'
import type { AgreementInput, LabelSchema, ProjectDto, SubmissionDto } from './schema'
import { maskOn, seriesSpacing } from './submission-figures'

// From the submitted SEGs the owner opened in this browser to the agreement records the
// server keeps (pure). Each SEG is matched to its submission by SOP Instance UID; a study's
// SEGs must lie on one series. Only numbers and ids leave: AgreementInput has no mask.

/** A submitted SEG read onto its series: one mask per segment number. */
export interface SegMasks {
  segSopInstanceUid: string
  studyInstanceUid: string
  seriesInstanceUid: string
  masks: ReadonlyMap<number, MaskVolume>
}

type HeldSeries = Pick<DicomSeries, 'seriesInstanceUid' | 'instances' | 'geometry'>

/**
 * A submitted SEG's masks on the held series it refers to (series of its study tried first),
 * its segments matched to the schema by name: a SEG numbers its segments 1… anew. Throws the
 * SegError a user sees when the series it refers to is not held.
 */
export function readSubmittedSeg<S extends HeldSeries>(
  bytes: ArrayBuffer | Uint8Array,
  seg: { studyInstanceUid: string },
  held: readonly S[],
  labelSchema: LabelSchema,
): { seg: SegMasks; series: S; notices: string[] } {
  const ofStudy = (series: S) => Number(series.instances[0]?.studyInstanceUid === seg.studyInstanceUid)
  const candidates = held.filter((series) => series.instances.length > 0 && series.instances.every((instance) => instance.hasPixelData)).sort((a, b) => ofStudy(b) - ofStudy(a))
  let notLoaded = new SegError('series-not-loaded', 'Open this SEG together with the series it segments.')
  for (const series of candidates) {
    try {
      const read = readSeg(bytes, series)
      const first = series.instances[0]!
      const grid = { columns: first.columns, rows: first.rows, slices: series.instances.length }
      const spacing = seriesSpacing(series)
      const byName = new Map(labelSchema.segments.map((segment) => [segment.name.toLowerCase(), segment.number]))
      const masks = new Map<number, MaskVolume>()
      const notices = [...read.notices]
      for (const segment of read.segments) {
        const number = byName.get(segment.label.toLowerCase())
        if (number === undefined) notices.push(`The segment "${segment.label}" of SEG ${read.sopInstanceUid} is not in the label schema; it was left out.`)
        else masks.set(number, maskOn(segment.mask, grid, spacing))
      }
      return { seg: { segSopInstanceUid: read.sopInstanceUid, studyInstanceUid: first.studyInstanceUid, seriesInstanceUid: series.seriesInstanceUid, masks }, series, notices }
    } catch (error) {
      if (!(error instanceof SegError && error.kind === 'series-not-loaded')) throw error
      notLoaded = error
    }
  }
  throw notLoaded
}

export interface StudyAgreementResult {
  studyId: string
  studyInstanceUid: string
  seriesInstanceUid: string
  /** Submission ids compared, in the order of the study's tasks. */
  submissions: { submissionId: string; annotator: { id: string; name: string } }[]
  agreement: StudyAgreement
  records: AgreementInput[]
}

export interface ProjectAgreement {
  studies: StudyAgreementResult[]
  /** For the user: SEGs that match no submission, studies left out and why. */
  notices: string[]
}

export function projectAgreement(project: ProjectDto, segs: readonly SegMasks[], consensus?: ConsensusMethod): ProjectAgreement {
  const bySop = new Map(segs.map((seg) => [seg.segSopInstanceUid, seg]))
  const submitted = new Set(project.studies.flatMap((study) => study.tasks.flatMap((task) => (task.submission ? [task.submission.segSopInstanceUid] : []))))
  const notices = segs.filter((seg) => !submitted.has(seg.segSopInstanceUid)).map((seg) => `The SEG ${seg.segSopInstanceUid} is no submission of this project; it was left out.`)
  const segmentNumbers = project.labelSchema.segments.map((segment) => segment.number)
  const studies: StudyAgreementResult[] = []
  for (const study of project.studies) {
    const matched = study.tasks.flatMap((task) => {
      const seg = task.submission && bySop.get(task.submission.segSopInstanceUid)
      return seg ? [{ task, submission: task.submission as SubmissionDto, seg }] : []
    })
    const unmatched = study.tasks.filter((task) => task.submission && !bySop.has(task.submission.segSopInstanceUid))
    if (matched.length < 2) {
      if (matched.length || unmatched.length)
        notices.push(
          `${study.studyDescription || study.studyInstanceUid}: agreement needs the SEGs of two submissions at least; ${matched.length} of ${matched.length + unmatched.length} opened.`,
        )
      continue
    }
    if (unmatched.length)
      notices.push(`${study.studyDescription || study.studyInstanceUid}: without ${unmatched.map((task) => task.annotator.name).join(', ')} (their SEG was not opened).`)
    const wrongStudy = matched.find(({ seg }) => seg.studyInstanceUid !== study.studyInstanceUid)
    if (wrongStudy) {
      notices.push(`The SEG ${wrongStudy.seg.segSopInstanceUid} lies on another study than its submission's; ${study.studyDescription || study.studyInstanceUid} was left out.`)
      continue
    }
    const series = new Set(matched.map(({ seg }) => seg.seriesInstanceUid))
    if (series.size > 1) {
      notices.push(`${study.studyDescription || study.studyInstanceUid}: the SEGs lie on different series, so they cannot be compared.`)
      continue
    }
    const annotators: AnnotatorMasks[] = matched.map(({ task, seg }) => ({
      annotator: task.annotator.id,
      segInstanceUid: seg.segSopInstanceUid,
      masks: new Map([...seg.masks].filter(([number]) => segmentNumbers.includes(number)).map(([number, mask]) => [String(number), mask])),
    }))
    const agreement = studyAgreement({
      projectId: project.id,
      studyInstanceUid: study.studyInstanceUid,
      seriesInstanceUid: matched[0]!.seg.seriesInstanceUid,
      segmentKeys: segmentNumbers.map(String),
      annotators,
      ...(consensus ? { consensus } : {}),
    })
    const submissionOf = new Map(matched.map(({ seg, submission }) => [seg.segSopInstanceUid, submission.id]))
    const records: AgreementInput[] = agreement.record.pairs.map((pair) => ({
      studyId: study.id,
      segmentNumber: Number(pair.segmentKey),
      submissionAId: submissionOf.get(pair.segInstanceUidA)!,
      submissionBId: submissionOf.get(pair.segInstanceUidB)!,
      dice: pair.dice,
      jaccard: pair.jaccard,
      hd95Mm: pair.hd95Mm,
      assdMm: pair.assdMm,
      volumeDifferenceMl: pair.volumeDifferenceMl,
    }))
    studies.push({
      studyId: study.id,
      studyInstanceUid: study.studyInstanceUid,
      seriesInstanceUid: matched[0]!.seg.seriesInstanceUid,
      submissions: matched.map(({ task, submission }) => ({ submissionId: submission.id, annotator: task.annotator })),
      agreement,
      records,
    })
  }
  return { studies, notices }
}
