'use client'
import { useEffect, useState } from 'react'
import { reportClientAuditEvent } from '../audit/report.client'
import type { SegmentationObject } from '../dicom/study-set'
import type { LabelmapDocument } from '../annotation/labelmap-document'
import type { LabelmapStore } from './labelmap-store'
import { readSegOnto, segmentEdited } from './seg-document'
import { deliverSeg } from './seg-delivery.client'
import type { StudySetStore } from './study-set-store'
import { useStore } from './use-store.client'

// DICOM SEG in the viewer, all in this browser: a SEG opened with its series (or found on
// the PACS beside the study) loads as the series' labelmap document, editable like any
// other; the selected series' document exports as a SEG, downloaded or stored to the
// study's PACS by STOW-RS. Our server hears only of the export: UIDs, SHA-256, a count.

type SegState =
  | { state: 'available' }
  | { state: 'loading' }
  /** While `document` is still its series' document (switching series or a model run replaces it). */
  | { state: 'loaded'; seriesInstanceUid: string; document: LabelmapDocument }
  | { state: 'failed'; message: string }

const message = (error: unknown) => (error instanceof Error ? error.message : String(error))

export interface SegPanelProps {
  studies: StudySetStore
  labelmaps: LabelmapStore
  /** Content Creator's Name of the SEGs made here. */
  author: string
  /** Whether this user may store to the PACS (the PACS token's write scope decides in the end). */
  canStore: boolean
}

export function SegPanel({ studies, labelmaps, author, canStore }: SegPanelProps) {
  const { set, selected } = useStore(studies)
  const { bySeries } = useStore(labelmaps)
  const [states, setStates] = useState<ReadonlyMap<string, SegState>>(new Map())
  const [notices, setNotices] = useState<string[]>([])
  const [status, setStatus] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)

  const setState = (uid: string, state: SegState) => setStates((current) => new Map(current).set(uid, state))

  /**
   * Reads a SEG onto the series it refers to, shows that series and makes the SEG its document
   * (unless `skip` says that series already has one); returns the series, or null.
   */
  async function load(segmentation: SegmentationObject, skip: (seriesInstanceUid: string) => boolean = () => false): Promise<string | null> {
    const uid = segmentation.instance.sopInstanceUid
    setState(uid, { state: 'loading' })
    try {
      const bytes = await segmentation.bytes()
      const { series, read } = readSegOnto(
        bytes,
        segmentation.instance,
        studies.snapshot.series.map((entry) => entry.series),
      )
      const target = series.seriesInstanceUid
      if (skip(target)) {
        read.document.dispose()
        setState(uid, { state: 'available' })
        return null
      }
      studies.select(target, studies.snapshot.selected?.series.seriesInstanceUid === target ? studies.snapshot.layout : 'stack')
      labelmaps.put({ document: read.document, imageIds: studies.imageIdsOf(target) })
      // One document per series: a SEG loaded before on this series shows as not loaded again.
      setState(uid, { state: 'loaded', seriesInstanceUid: target, document: read.document })
      const overlapping = read.overlaps.map(([a, b]) => `${read.document.segment(a)?.name ?? a} and ${read.document.segment(b)?.name ?? b}`)
      setNotices((current) => [...current, ...read.notices, ...(overlapping.length ? [`Overlapping segments kept on separate layers: ${overlapping.join('; ')}.`] : [])])
      return target
    } catch (error) {
      setState(uid, { state: 'failed', message: message(error) })
      setNotices((current) => [...current, message(error)])
      return null
    }
  }

  // SEGs opened from disk with their series load at once (the first on each series; the
  // others wait in the list); a PACS's are offered, as each is a retrieval.
  useEffect(() => {
    setStates(new Map())
    setNotices([])
    setStatus(null)
    if (!set || set.source === 'dicomweb') return
    let cancelled = false
    void (async () => {
      const filled = new Set<string>()
      for (const segmentation of set.segmentations) {
        if (cancelled) return
        const target = await load(segmentation, (uid) => cancelled || filled.has(uid))
        if (target) filled.add(target)
      }
    })()
    return () => {
      cancelled = true
    }
  }, [set])

  const series = selected?.series ?? null
  const entry = series ? (bySeries.get(series.seriesInstanceUid) ?? null) : null
  const canExport = !!entry && entry.document.segments.length > 0 && !busy

  async function exportTo(destination: 'download' | 'pacs') {
    if (!series || !entry) return
    setBusy(true)
    setStatus(null)
    try {
      const { written, status } = await deliverSeg({
        document: entry.document,
        series,
        author,
        edited: segmentEdited(entry.document, labelmaps.editedSegments(series.seriesInstanceUid)),
        pacsId: destination === 'pacs' ? (set?.sourceRef ?? null) : null,
        record: ({ written, sha256, pacs }) =>
          reportClientAuditEvent({
            type: 'seg-exported',
            destination,
            ...(pacs ? { pacsId: pacs.id } : {}),
            studyInstanceUid: series.instances[0]!.studyInstanceUid,
            seriesInstanceUid: series.seriesInstanceUid,
            segSopInstanceUid: written.sopInstanceUid,
            sha256,
            segmentCount: written.segmentNumbers.size,
          }),
      })
      setStatus(status)
      if (written.notices.length) setNotices((current) => [...current, ...written.notices])
    } catch (error) {
      setNotices((current) => [...current, `The segmentation could not be exported: ${message(error)}`])
    } finally {
      setBusy(false)
    }
  }

  if (!set) return null
  return (
    <section data-testid="seg-panel">
      <h2 style={{ margin: '0 0 .4rem' }}>DICOM SEG</h2>
      {set.segmentations.length > 0 && (
        <ul data-testid="seg-list" style={{ listStyle: 'none', padding: 0, margin: '0 0 .4rem' }}>
          {set.segmentations.map((segmentation) => {
            const { instance } = segmentation
            const held: SegState = states.get(instance.sopInstanceUid) ?? { state: 'available' }
            const state: SegState = held.state === 'loaded' && bySeries.get(held.seriesInstanceUid)?.document !== held.document ? { state: 'available' } : held
            return (
              <li
                key={instance.sopInstanceUid}
                data-testid="seg-item"
                data-sop-instance-uid={instance.sopInstanceUid}
                data-state={state.state}
                title={state.state === 'failed' ? state.message : undefined}
              >
                <span>{instance.seriesDescription || 'Segmentation'}</span>{' '}
                {state.state === 'loaded' ? (
                  <span className="muted">loaded</span>
                ) : (
                  <button type="button" data-testid="seg-load" disabled={state.state === 'loading'} onClick={() => void load(segmentation)}>
                    {state.state === 'loading' ? 'Loading…' : 'Load'}
                  </button>
                )}
              </li>
            )
          })}
        </ul>
      )}
      <div className="form-row">
        <button type="button" data-testid="export-seg" disabled={!canExport} onClick={() => void exportTo('download')}>
          Export SEG
        </button>
        {canStore && set.source === 'dicomweb' && set.sourceRef && (
          <button type="button" data-testid="store-seg" disabled={!canExport} onClick={() => void exportTo('pacs')}>
            Store SEG to the PACS
          </button>
        )}
      </div>
      {status && (
        <p className="muted" data-testid="seg-status">
          {status}
        </p>
      )}
      {notices.map((notice, index) => (
        <p key={index} className="warn" role="status" data-testid="seg-notice">
          {notice}
        </p>
      ))}
    </section>
  )
}
