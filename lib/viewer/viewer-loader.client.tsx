'use client'
import dynamic from 'next/dynamic'

// Cornerstone touches window, WebGL and workers at import time: load it in the browser only.
export const ViewerLoader = dynamic(() => import('./viewer-app.client').then((module) => module.ViewerApp), {
  ssr: false,
  loading: () => <p className="muted">Starting the viewer…</p>,
})
