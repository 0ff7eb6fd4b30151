import type { MaskVolume } from '../agreement/mask-volume'
import { studyAgreement, type AnnotatorMasks, type StudyAgreement } from '../agreement/tables'
import type { ConsensusMethod } from '../agreement/consensus'
import type { AgreementInput, ProjectDto, SubmissionDto } from './schema'

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
