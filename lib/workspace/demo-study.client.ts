'use client'
import type { LocalFileInput } from '../dicom/ingest.client'

// Demo studies (synthetic) are fetched whole by the browser and opened like local files.

export interface DemoStudyEntry {
  key: string
  title: string
  files: string[]
}

export async function listDemoStudies(): Promise<DemoStudyEntry[]> {
  const response = await fetch('/api/demo')
  return response.ok ? ((await response.json()) as DemoStudyEntry[]) : []
}

export async function fetchDemoFiles(demo: DemoStudyEntry): Promise<LocalFileInput[]> {
  return Promise.all(
    demo.files.map(async (name) => {
      const response = await fetch(`/api/demo/${demo.key}/${name}`)
      if (!response.ok) throw new Error(`HTTP ${response.status} for ${name}`)
      return { name: `${demo.key}/${name}`, file: await response.blob() }
    }),
  )
}
