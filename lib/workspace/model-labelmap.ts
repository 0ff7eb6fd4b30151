import { LabelmapDocument, type SegmentInit } from '../annotation/labelmap-document'
import type { DicomInstance } from '../dicom/types'
import type { ModelManifest } from '../inference/manifest'

/**
 * A segmentation model's labels as the series' labelmap document: one segment per label of
 * the manifest, each recording the model (id, version, SHA-256) that made it.
 */
export function labelmapFromModel(seriesInstanceUid: string, first: DicomInstance, slices: number, labels: Uint8Array, manifest: ModelManifest): LabelmapDocument {
  const source = { kind: 'model', id: manifest.parallax.id, version: manifest.version, sha256: manifest.parallax.file.sha256 } as const
  const segments: SegmentInit[] = manifest.parallax.labels
    .filter((label) => label.value > 0)
    .map((label) => ({ number: label.value, name: label.name, color: label.color, category: null, type: null, source }))
  return new LabelmapDocument(seriesInstanceUid, { columns: first.columns, rows: first.rows, slices }, segments, labels)
}
