'use client'
import dynamic from 'next/dynamic'
import { useSearchParams } from 'next/navigation'
import { useMemo } from 'react'

// Cornerstone touches window, WebGL and workers at import time: load it in the browser only.
const ViewerApp = dynamic(() => import('./viewer-app.client').then((module) => module.ViewerApp), {
  ssr: false,
  loading: () => <p className="muted">Starting the viewer…</p>,
})

/** `/viewer` opens local files; `/viewer?pacs=<id>&study=<uid>` retrieves a study from a PACS. */
export function ViewerLoader() {
  const params = useSearchParams()
  const pacs = params.get('pacs')
  const study = params.get('study')
  const initial = useMemo(
    () => (pacs && study ? import('./dicomweb-study.client').then((module) => module.openPacsStudy(pacs, study)) : undefined),
    [pacs, study],
  )
  return <ViewerApp initial={initial} />
}
