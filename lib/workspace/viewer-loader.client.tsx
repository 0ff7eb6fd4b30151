'use client'
import dynamic from 'next/dynamic'
import { useSearchParams } from 'next/navigation'
import { useMemo } from 'react'
import type { StudySet } from '../dicom/study-set'
import type { Reviewer } from './viewer-page.client'

// Cornerstone touches window, WebGL and workers at import time: load it in the browser only.
const ViewerPage = dynamic(() => import('./viewer-page.client').then((module) => module.ViewerPage), {
  ssr: false,
  loading: () => <p className="muted">Starting the viewer…</p>,
})

/** The study of a read, from where it was first opened: its PACS, or the demo set. */
async function openReadStudy(readId: string): Promise<StudySet> {
  const { fetchRead } = await import('../findings/reads.client')
  const read = await fetchRead(readId)
  const { source, sourceRef, studyInstanceUid } = read.study
  if (source === 'dicomweb' && sourceRef) return (await import('./pacs-study.client')).openPacsStudy(sourceRef, studyInstanceUid)
  if (source === 'demo' && sourceRef) {
    const { fetchDemoFiles, listDemoStudies } = await import('./demo-study.client')
    const demo = (await listDemoStudies()).find((entry) => entry.key === sourceRef)
    if (!demo) throw new Error('This demo study is no longer available on this server.')
    const { openLocalFiles } = await import('../dicom/ingest.client')
    return openLocalFiles(await fetchDemoFiles(demo), { source, sourceRef })
  }
  throw new Error('This study was read from local files: open the same files here and its read appears beside them.')
}

/**
 * `/viewer` opens local files; `/viewer?pacs=<id>&study=<uid>` retrieves a study from a PACS;
 * `/viewer?read=<id>` opens the study of a read from the worklist; `/viewer?project=<id>&task=<id>`
 * opens an annotation task (its panel retrieves the study once the opening is recorded).
 */
export function ViewerLoader({ reviewer }: { reviewer: Reviewer | null }) {
  const params = useSearchParams()
  const pacs = params.get('pacs')
  const study = params.get('study')
  const read = params.get('read')
  const project = params.get('project')
  const task = params.get('task')
  const initial = useMemo(() => {
    // Rendered on the server too, where the study must not be fetched: the viewer below is
    // browser-only, and a relative fetch there fails as an unhandled rejection.
    if (typeof window === 'undefined') return undefined
    if (pacs && study) return import('./pacs-study.client').then((module) => module.openPacsStudy(pacs, study))
    if (read) return openReadStudy(read)
    return undefined
  }, [pacs, study, read])
  const projectTask = useMemo(() => (project && task ? { projectId: project, taskId: task } : null), [project, task])
  return <ViewerPage initial={initial} reviewer={reviewer} projectTask={projectTask} />
}
