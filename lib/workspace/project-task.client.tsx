'use client'
import { useEffect, useRef, useState } from 'react'
import { LabelmapDocument, type SegmentInit } from '../annotation/labelmap-document'
import { openTask, submitAnnotation } from '../annotation-projects/projects.client'
import { colourRgb, type AnnotationSessionDto, type LabelSchema, type LabelSegment } from '../annotation-projects/schema'
import { modelOriginalOf, seriesSpacing, submissionFigures, type ModelOriginal } from '../annotation-projects/submission-figures'
import type { StudySet } from '../dicom/study-set'
import type { LabelmapStore } from './labelmap-store'
import { openPacsStudy } from './pacs-study.client'
import { segmentEdited } from './seg-document'
import { deliverSeg } from './seg-delivery.client'
import type { StudySetStore } from './study-set-store'
import { useStore } from './use-store.client'

// A project task in the viewer (/viewer?project=&task=): opening it is audited (110103)
// before the study is retrieved; the study's series gets a document with the project's
// segments (or keeps a model's output, whose masks are kept as proposed so the correction
// can be measured); Submit writes the SEG, stores it to the study's PACS or downloads it,
// and records only its UID, SHA-256, destination and per-segment figures.

const message = (error: unknown) => (error instanceof Error ? error.message : String(error))
const codeOf = (code: LabelSegment['category']) => ({ value: code.value, scheme: code.scheme, meaning: code.meaning })

/** The schema's look and codes on a segment of the same number; its source (a model, a person) stays. */
const withSchema = (segment: LabelSegment): Omit<SegmentInit, 'source' | 'layer'> => ({
  number: segment.number,
  name: segment.name,
  color: colourRgb(segment.colour),
  category: codeOf(segment.category),
  type: codeOf(segment.type),
})

/** A model's document on the project's terms: its segments named and coded by the schema, the schema's others added empty. */
function adoptSchema(document: LabelmapDocument, schema: LabelSchema, userId: string) {
  const byNumber = new Map(schema.segments.map((segment) => [segment.number, segment]))
  const kept = document.segments.map((segment) => {
    const labelled = byNumber.get(segment.number)
    return labelled ? { ...segment, ...withSchema(labelled) } : segment
  })
  const added = schema.segments.filter((segment) => !document.segment(segment.number)).map((segment) => ({ ...withSchema(segment), source: { kind: 'user', userId } as const }))
  document.setSegments([...kept, ...added])
}

export interface ProjectTaskPanelProps {
  projectId: string
  taskId: string
  studies: StudySetStore
  labelmaps: LabelmapStore
  userId: string
  /** Shows a study retrieved for the task (the viewer page's adopt). */
  onStudy: (set: StudySet) => void
}

type TaskState = { state: 'opening' } | { state: 'open'; session: AnnotationSessionDto } | { state: 'failed'; message: string }

export function ProjectTaskPanel({ projectId, taskId, studies, labelmaps, userId, onStudy }: ProjectTaskPanelProps) {
  const { set, selected } = useStore(studies)
  const { bySeries } = useStore(labelmaps)
  const [task, setTask] = useState<TaskState>({ state: 'opening' })
  const [status, setStatus] = useState<string | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const [submitted, setSubmitted] = useState(false)
  // Per document, what a model proposed (null: nobody's proposal), taken when the document first appears.
  const originals = useRef(new WeakMap<LabelmapDocument, ModelOriginal | null>())

  useEffect(() => {
    let cancelled = false
    openTask(projectId, taskId).then(
      (session) => {
        if (cancelled) return
        setTask({ state: 'open', session })
        setSubmitted(session.task.status === 'submitted')
        const { pacsId, studyInstanceUid } = session.task.study
        if (pacsId) openPacsStudy(pacsId, studyInstanceUid).then(onStudy, (failure: unknown) => setError(`The study could not be retrieved: ${message(failure)}`))
      },
      (failure: unknown) => !cancelled && setTask({ state: 'failed', message: message(failure) }),
    )
    return () => {
      cancelled = true
    }
  }, [projectId, taskId])

  const session = task.state === 'open' ? task.session : null
  const series = selected?.series ?? null
  const onTaskStudy = !!session && !!series && series.instances[0]!.studyInstanceUid === session.task.study.studyInstanceUid
  const entry = series ? (bySeries.get(series.seriesInstanceUid) ?? null) : null
  const imageCount = series ? studies.imageIdsOf(series.seriesInstanceUid).length : 0

  // The task's series gets the project's segments: an empty document, or a model's output relabelled by the schema.
  useEffect(() => {
    if (!session || !series || !onTaskStudy || submitted) return
    if (!entry) {
      const first = series.instances[0]!
      if (imageCount === 0) return
      const segments = session.labelSchema.segments.map((segment) => ({ ...withSchema(segment), source: { kind: 'user', userId } as const }))
      labelmaps.put({
        document: new LabelmapDocument(series.seriesInstanceUid, { columns: first.columns, rows: first.rows, slices: imageCount }, segments),
        imageIds: studies.imageIdsOf(series.seriesInstanceUid),
      })
      return
    }
    if (originals.current.has(entry.document)) return
    const original = modelOriginalOf(entry.document)
    originals.current.set(entry.document, original)
    if (original) adoptSchema(entry.document, session.labelSchema, userId)
  }, [session, series, onTaskStudy, entry, imageCount, submitted])

  const pacsId = session?.task.study.pacsId ?? null
  const onItsPacs = !!pacsId && set?.source === 'dicomweb' && set.sourceRef === pacsId
  const schemaNumbers = new Set(session?.labelSchema.segments.map((segment) => segment.number) ?? [])
  const outside = entry?.document.segments.filter((segment) => !schemaNumbers.has(segment.number)) ?? []

  async function submit(destination: 'pacs' | 'download') {
    if (!session || !series || !entry) return
    setBusy(true)
    setError(null)
    setStatus(null)
    try {
      const { document } = entry
      const figures = submissionFigures(document, seriesSpacing(series), originals.current.get(document) ?? null)
      const delivered = await deliverSeg({
        document,
        series,
        author: userId,
        edited: segmentEdited(document, labelmaps.editedSegments(series.seriesInstanceUid)),
        pacsId: destination === 'pacs' ? pacsId : null,
      })
      await submitAnnotation(projectId, taskId, {
        segSopInstanceUid: delivered.written.sopInstanceUid,
        segSha256: delivered.sha256,
        storedAt: destination,
        pacsId: delivered.pacs?.id ?? null,
        figures,
      })
      setSubmitted(true)
      setStatus(`${delivered.status} Submitted to ${session.project.name}.`)
    } catch (failure) {
      setError(`The annotation could not be submitted: ${message(failure)}`)
    } finally {
      setBusy(false)
    }
  }

  const canSubmit = onTaskStudy && !!entry && outside.length === 0 && !busy && !submitted
  return (
    <section data-testid="project-task" data-state={submitted ? 'submitted' : task.state}>
      <h2 style={{ margin: '0 0 .4rem' }}>Project task</h2>
      {task.state === 'opening' && <p className="muted">Opening the task…</p>}
      {task.state === 'failed' && (
        <p className="error" role="alert" data-testid="project-task-error">
          {task.message}
        </p>
      )}
      {session && (
        <>
          <p className="muted" data-testid="project-task-study" data-study-uid={session.task.study.studyInstanceUid}>
            {session.project.name} · {session.task.study.studyDescription || session.task.study.studyInstanceUid}
          </p>
          {!pacsId && !onTaskStudy && <p className="muted">Open this study&apos;s files (Study Instance UID {session.task.study.studyInstanceUid}) to annotate it.</p>}
          {series && !onTaskStudy && set && <p className="warn">The series shown is not of this task&apos;s study.</p>}
          {outside.length > 0 && (
            <p className="warn" data-testid="project-task-outside">
              Not in the project&apos;s label schema: {outside.map((segment) => `${segment.number} ${segment.name}`).join(', ')}. Remove these segments to submit.
            </p>
          )}
          <div className="form-row">
            {onItsPacs && (
              <button type="button" data-testid="project-task-submit-pacs" disabled={!canSubmit} onClick={() => void submit('pacs')}>
                Submit annotation (store to the PACS)
              </button>
            )}
            <button type="button" data-testid="project-task-submit" disabled={!canSubmit} onClick={() => void submit('download')}>
              {busy ? 'Submitting…' : 'Submit annotation (download)'}
            </button>
          </div>
        </>
      )}
      {submitted && !status && <p className="muted">This task is submitted; a submission is final.</p>}
      {status && (
        <p className="muted" data-testid="project-task-status">
          {status}
        </p>
      )}
      {error && (
        <p className="error" role="alert" data-testid="project-task-error">
          {error}
        </p>
      )}
    </section>
  )
}
