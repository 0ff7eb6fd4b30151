import type { ModelManifest } from './manifest'

/** What the browser learns about a registered model: its manifest and where to get the file. */
export interface ModelSummary {
  manifest: ModelManifest
  source: 'bundled' | 'added'
  /** Same-origin URL of the ONNX file (content-addressed by SHA-256), or null until the file is added. */
  fileUrl: string | null
}

export function modelFileUrl(manifest: ModelManifest): string {
  return `/api/models/${manifest.parallax.id}/file?sha256=${manifest.parallax.file.sha256}`
}
