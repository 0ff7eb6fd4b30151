// A segmentation model's labels on a series as a DICOM SEG, through the same writer as the
// viewer (lib/seg): one segment per label, AUTOMATIC, naming the model and its version.
// The one place the cohort runner writes SEG, so the writer can change behind it.
import type { DicomInstance } from '../dicom/types'
import { readSeg } from '../seg/read-seg'
import { SegError } from '../seg/types'
import { writeSeg } from '../seg/write-seg'
import type { ModelManifest } from './manifest'

/** The SEG's bytes, or null when the model labelled nothing (a SEG has no frame to hold "nothing"). */
export function modelSeg(manifest: ModelManifest, instances: readonly DicomInstance[], labels: Uint8Array, createdAt: Date): Uint8Array | null {
  const { parallax, version } = manifest
  const segments = parallax.labels
    .filter((label) => label.value > 0)
    .map((label) => ({
      number: label.value,
      label: label.name,
      color: label.color,
      category: null,
      type: null,
      algorithm: { type: 'AUTOMATIC' as const, name: parallax.id, version },
    }))
  try {
    return writeSeg(
      segments,
      (value) => labels.map((label) => (label === value ? 1 : 0)),
      { seriesInstanceUid: instances[0]!.seriesInstanceUid, instances },
      {
        // LO: 64 characters at most; the model's full name can be longer.
        seriesDescription: `${parallax.id} ${version} (automatic)`.slice(0, 64),
        createdAt,
        author: `Parallax ${parallax.id}`,
      },
    ).bytes
  } catch (error) {
    if (error instanceof SegError && error.kind === 'nothing-to-write') return null
    throw error
  }
}

/** A ground-truth SEG on the series as a label volume in the model's label values: segments matched to labels by name, or the only segment to the only label. */
export function labelsFromSeg(manifest: ModelManifest, instances: readonly DicomInstance[], bytes: Uint8Array): Uint8Array {
  const read = readSeg(bytes, { seriesInstanceUid: instances[0]!.seriesInstanceUid, instances })
  const labels = manifest.parallax.labels.filter((label) => label.value > 0)
  const out = new Uint8Array(instances.length * instances[0]!.rows * instances[0]!.columns)
  for (const segment of read.segments) {
    const label =
      labels.find((candidate) => candidate.name.toLowerCase() === segment.label.toLowerCase()) ?? (labels.length === 1 && read.segments.length === 1 ? labels[0] : undefined)
    if (!label) throw new Error(`The ground truth's segment "${segment.label}" matches none of ${manifest.parallax.id}'s labels (${labels.map((l) => l.name).join(', ')})`)
    for (let v = 0; v < out.length; v++) if (segment.mask[v]) out[v] = label.value
  }
  return out
}
