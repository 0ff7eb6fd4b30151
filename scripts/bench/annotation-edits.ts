// Editing and DICOM SEG on a CT-sized labelmap: the real 275-slice 512² chest CT's grid
// (headers of ../shared/data/ct-chest-lidc0314), a nodule-sized and a lung-sized segment.
// Each figure against a same-run baseline of the work it cannot avoid:
// - a brush stroke (20 dabs, 5 mm, on the axial plane; one transaction, undoable) against the
//   same dabs painted the plain way: every pixel of the slice tested against every dab;
// - SEG export (writeLabelmapSeg: the adapters' derivation, our references, bit packing)
//   against serialising the same frames' bits alone; SEG import (readLabelmapSeg: parse,
//   placement, unpacking, layers) against dcmjs parsing the same file alone.
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { LabelmapDocument } from '../../lib/annotation/labelmap-document'
import { paintStroke } from '../../lib/annotation/brush'
import type { Ijk, VoxelSpace } from '../../lib/annotation/voxel-space'
import { parseInstance } from '../../lib/dicom/parse-instance'
import { orderSeries } from '../../lib/dicom/series-geometry'
import { readLabelmapSeg, writeLabelmapSeg } from '../../lib/seg/labelmap-seg'
import type { SegSourceSeries } from '../../lib/seg/types'
import { missingSharedData, sharedDataPath } from '../../tests/support/shared-data'
import dcmjs from 'dcmjs'

// The parts of dcmjs the baselines use (its bundled declarations in lib/dicom/dcmjs.d.ts cover writing only).
const dicom = dcmjs.data as unknown as { BitArray: { pack(bits: Uint8Array): Uint8Array }; DicomMessage: { readFile(buffer: ArrayBuffer): unknown } }

export interface AnnotationBenchResult {
  grid: { columns: number; rows: number; slices: number }
  strokes: number
  strokeP50Ms: number
  strokeP95Ms: number
  plainStrokeP95Ms: number
  segBytes: number
  segFrames: number
  exportMs: number
  packOnlyMs: number
  importMs: number
  parseOnlyMs: number
}

const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.ceil((p / 100) * values.length) - 1)]!
const timed = (run: () => unknown) => {
  const started = performance.now()
  run()
  return performance.now() - started
}

function ctSeries(): SegSourceSeries {
  const missing = missingSharedData('ct-chest-lidc0314')
  if (missing) throw new Error(missing)
  const dir = sharedDataPath('ct-chest-lidc0314')
  const instances = readdirSync(dir)
    .filter((name) => name.endsWith('.dcm'))
    .map((name, index) => {
      const parsed = parseInstance(new Uint8Array(readFileSync(path.join(dir, name))), name, index)
      if (!parsed.ok) throw new Error(`${name}: ${parsed.rejection.reason}`)
      return parsed.instance
    })
  const ordered = orderSeries(instances).instances
  return { seriesInstanceUid: ordered[0]!.seriesInstanceUid, instances: ordered }
}

/** An ellipsoid of segment `number` (radii in voxels). */
function ellipsoid(doc: LabelmapDocument, centre: Ijk, radii: Ijk, number: number) {
  const { columns, rows, slices } = doc.grid
  doc.transact('Fill', (edit) => {
    for (let k = Math.max(0, Math.ceil(centre[2] - radii[2])); k <= Math.min(slices - 1, centre[2] + radii[2]); k++)
      for (let j = Math.max(0, Math.ceil(centre[1] - radii[1])); j <= Math.min(rows - 1, centre[1] + radii[1]); j++)
        for (let i = Math.max(0, Math.ceil(centre[0] - radii[0])); i <= Math.min(columns - 1, centre[0] + radii[0]); i++)
          if (((i - centre[0]) / radii[0]) ** 2 + ((j - centre[1]) / radii[1]) ** 2 + ((k - centre[2]) / radii[2]) ** 2 <= 1) edit.paint((k * rows + j) * columns + i, number)
  })
}

export function measureAnnotationEdits(strokes: number): AnnotationBenchResult {
  const series = ctSeries()
  const first = series.instances[0]!
  const grid = { columns: first.columns, rows: first.rows, slices: series.instances.length }
  const spacing: [number, number, number] = [first.pixelSpacing?.[1] ?? 0.7, first.pixelSpacing?.[0] ?? 0.7, 1]
  const space: VoxelSpace = { ...grid, spacing }
  const user = { kind: 'user' as const, userId: 'bench' }
  const doc = new LabelmapDocument(series.seriesInstanceUid, grid, [
    { number: 1, name: 'Nodule', color: [230, 60, 60], category: null, type: null, source: user },
    { number: 2, name: 'Lung', color: [60, 160, 230], category: null, type: null, source: user, layer: 1 },
  ])
  ellipsoid(doc, [300, 250, 140], [18, 16, 14], 1)
  ellipsoid(doc, [200, 256, 137], [90, 120, 110], 2)

  // Brush strokes on the axial plane through the middle slice, each undone after it is timed.
  const plane = { u: [1, 0, 0] as Ijk, v: [0, 1, 0] as Ijk }
  const slice = Math.floor(grid.slices / 2)
  const stroke: Ijk[] = Array.from({ length: 20 }, (_, s) => [150 + s * 6, 200 + s * 3, slice])
  const strokeMs: number[] = []
  const plainMs: number[] = []
  const plain = new Uint8Array(grid.columns * grid.rows)
  const radius2 = 5 * 5
  const paintPlainly = () => {
    for (const [ci, cj] of stroke)
      for (let j = 0; j < grid.rows; j++)
        for (let i = 0; i < grid.columns; i++) if (((i - ci) * spacing[0]) ** 2 + ((j - cj) * spacing[1]) ** 2 <= radius2) plain[j * grid.columns + i] = 1
  }
  for (let run = 0; run < strokes + 5; run++) {
    const stroked = timed(() => paintStroke(doc, space, { segment: 1, mode: 'paint', radiusMm: 5, shape: 'circle', plane, centres: stroke }))
    const plainly = timed(paintPlainly)
    doc.undo()
    if (run >= 5) {
      strokeMs.push(stroked)
      plainMs.push(plainly)
    }
  }

  const options = { seriesDescription: 'Bench', createdAt: new Date(), author: 'Bench', edited: () => false }
  writeLabelmapSeg(doc, series, options)
  let written!: ReturnType<typeof writeLabelmapSeg>
  const exportMs = timed(() => (written = writeLabelmapSeg(doc, series, options)))
  const masks = doc.segments.map((segment) => doc.mask(segment.number))
  const frames: Uint8Array[] = []
  for (const mask of masks)
    for (let k = 0; k < grid.slices; k++) {
      const frame = mask.subarray(k * doc.sliceSize, (k + 1) * doc.sliceSize)
      if (frame.some((value) => value)) frames.push(frame)
    }
  const packOnlyMs = timed(() => frames.forEach((frame) => dicom.BitArray.pack(frame)))
  readLabelmapSeg(written.bytes, series)
  const importMs = timed(() => readLabelmapSeg(written.bytes, series))
  const parseOnlyMs = timed(() => dicom.DicomMessage.readFile(written.bytes.slice().buffer))
  return {
    grid,
    strokes,
    strokeP50Ms: percentile(strokeMs, 50),
    strokeP95Ms: percentile(strokeMs, 95),
    plainStrokeP95Ms: percentile(plainMs, 95),
    segBytes: written.bytes.length,
    segFrames: frames.length,
    exportMs,
    packOnlyMs,
    importMs,
    parseOnlyMs,
  }
}
