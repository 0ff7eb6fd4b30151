// A generated CT series as lib/seg takes it (parsed instances in display order), and an
// independent reading of SEG files with pydicom (tests/support/seg_frames.py).
import { spawnSync } from 'node:child_process'
import path from 'node:path'
import { parseInstance } from '../../lib/dicom/parse-instance'
import { orderSeries } from '../../lib/dicom/series-geometry'
import type { DicomInstance } from '../../lib/dicom/types'
import type { SegSourceSeries } from '../../lib/seg/types'
import { generateChestPhantom } from '../../lib/synthetic/chest-phantom'
import { studyIdentity } from '../../lib/synthetic/studies'
import { writeCtSeries } from '../../lib/synthetic/write-ct-series'
import { pydicomTestFilesDir } from './pydicom-data'

export function parsedSeries(files: readonly Uint8Array[], names: readonly string[] = files.map((_, k) => `${k}.dcm`)): SegSourceSeries {
  const instances: DicomInstance[] = files.map((bytes, k) => {
    const parsed = parseInstance(bytes, names[k]!, k)
    if (!parsed.ok) throw new Error(`${names[k]}: ${parsed.rejection.reason}`)
    return parsed.instance
  })
  const ordered = orderSeries(instances).instances
  return { seriesInstanceUid: ordered[0]!.seriesInstanceUid, instances: ordered }
}

/** A small phantom CT series; 13 × 11 pixels, so frames do not end on a byte boundary. */
export function phantomSeries(seed = 42, slices = 6): { files: Uint8Array[]; series: SegSourceSeries } {
  const phantom = generateChestPhantom({ seed, noduleCount: 1, columns: 13, rows: 11, slices, pixelSpacing: 3.5, diameterRange: [10, 12] })
  const files = writeCtSeries(phantom, studyIdentity(seed, 'SEG test'))
  return { files, series: parsedSeries(files) }
}

export interface PydicomSegFrame {
  segment: number
  sopInstanceUid: string | null
  position: [number, number, number] | null
  voxels: number
}

// pydicom from Debian's python3-pydicom, unpacked beside its test files (scripts/fetch-pydicom-test-files.sh).
const pydicomPath = path.resolve(pydicomTestFilesDir, '../../..')
const python = (args: string[]) =>
  spawnSync('python3', args, { encoding: 'utf8', env: { ...process.env, PYTHONPATH: [pydicomPath, process.env.PYTHONPATH].filter(Boolean).join(path.delimiter) } })

/** False when python3 can import pydicom; else the reason to skip (throws under CI=true). */
export function missingPydicom(): string | false {
  const probe = python(['-c', 'import pydicom'])
  if (probe.status === 0) return false
  const message = `python3 with pydicom not found (looked in ${pydicomPath}): run scripts/fetch-pydicom-test-files.sh or set PARALLAX_PYDICOM_TEST_FILES`
  if (process.env.CI === 'true') throw new Error(`${message} (CI=true: mandatory)`)
  console.warn(`[skipped] ${message}`)
  return message
}

export function pydicomSegFrames(file: string): { frames: PydicomSegFrame[]; segments: number[] } {
  const run = python([path.resolve('tests/support/seg_frames.py'), file])
  if (run.status !== 0) throw new Error(`seg_frames.py failed: ${run.stderr}`)
  return JSON.parse(run.stdout) as { frames: PydicomSegFrame[]; segments: number[] }
}
