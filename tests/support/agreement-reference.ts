import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { MaskVolume } from '../../lib/agreement/mask-volume'
import { metaImage } from './agreement-masks'

// The independent implementations lib/agreement is checked against: the SciPy reference
// (tests/reference/agreement_reference.py) and Debian's plastimatch (`plastimatch dice`).
// Mandatory under CI=true; elsewhere a test without them is skipped with a notice.

export const python3Path = process.env.PYTHON3_PATH ?? '/usr/bin/python3'
export const plastimatchPath = process.env.PLASTIMATCH_PATH ?? '/usr/bin/plastimatch'
const referenceScript = path.resolve(import.meta.dirname, '../reference/agreement_reference.py')

function missing(message: string): string {
  if (process.env.CI === 'true') throw new Error(`${message} (CI=true: mandatory)`)
  console.warn(`[skipped] ${message}`)
  return message
}

/** False when Python 3 with NumPy and SciPy is there, else the reason to skip (throws under CI=true). */
export function missingScipy(): string | false {
  const run = spawnSync(python3Path, ['-c', 'import numpy, scipy.ndimage'], { encoding: 'utf8' })
  if (run.status === 0) return false
  return missing(`Python 3 with NumPy and SciPy not usable at ${python3Path}: install Debian's python3-numpy and python3-scipy (apt-get install -y python3-numpy python3-scipy)`)
}

/** False when plastimatch is there, else the reason to skip (throws under CI=true). */
export function missingPlastimatch(): string | false {
  if (existsSync(plastimatchPath)) return false
  return missing(`plastimatch not found at ${plastimatchPath}: install Debian's plastimatch (apt-get install -y plastimatch)`)
}

/** What agreement_reference.py prints (the figures of compareMasks, and plastimatch's style of boundary summaries). */
export interface ReferenceFigures {
  voxelsA: number
  voxelsB: number
  intersectionVoxels: number
  volumeAMl: number
  volumeBMl: number
  volumeDifferenceMl: number
  dice: number
  jaccard: number
  hd95Mm: number | null
  assdMm: number | null
  hausdorffMm: number | null
  plastimatch: { boundaryHausdorffMm: number; boundaryAvgAverageMm: number; boundaryPercent95Mm: number } | null
}

function withFiles<T>(files: Record<string, Uint8Array>, run: (paths: Record<string, string>) => T): T {
  const dir = mkdtempSync(path.join(tmpdir(), 'parallax-agreement-'))
  try {
    const paths = Object.fromEntries(Object.entries(files).map(([name, bytes]) => [name, path.join(dir, name)]))
    for (const [name, bytes] of Object.entries(files)) writeFileSync(paths[name]!, bytes)
    return run(paths)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** Runs the SciPy reference on two masks written as raw uint8 files. */
export function referenceFigures(a: MaskVolume, b: MaskVolume): ReferenceFigures {
  return withFiles({ 'a.raw': a.data, 'b.raw': b.data }, (paths) => {
    const args = [referenceScript, paths['a.raw']!, paths['b.raw']!, '--shape', String(a.slices), String(a.rows), String(a.columns), '--spacing', ...a.spacing.map(String)]
    const run = spawnSync(python3Path, args, { encoding: 'utf8' })
    if (run.status !== 0) throw new Error(`agreement_reference.py failed (${run.status}): ${run.stderr}`)
    return JSON.parse(run.stdout) as ReferenceFigures
  })
}

/** `plastimatch dice --all` on two masks written as metaimages with their spacing (A is the reference image). */
export interface PlastimatchFigures {
  truePositive: number
  falseNegative: number
  falsePositive: number
  dice: number
  boundaryHausdorffMm: number
  boundaryAvgAverageMm: number
  boundaryPercent95Mm: number
  report: string
}

export function plastimatchDice(a: MaskVolume, b: MaskVolume): PlastimatchFigures {
  return withFiles({ 'a.mha': metaImage(a), 'b.mha': metaImage(b) }, (paths) => {
    const run = spawnSync(plastimatchPath, ['dice', '--all', paths['a.mha']!, paths['b.mha']!], { encoding: 'utf8' })
    const report = `${run.stdout}\n${run.stderr}`
    if (run.status !== 0) throw new Error(`plastimatch dice failed (${run.status}): ${report}`)
    const value = (pattern: RegExp) => {
      const match = pattern.exec(report)
      if (!match) throw new Error(`plastimatch dice printed no ${pattern}: ${report}`)
      return Number(match[1])
    }
    return {
      truePositive: value(/^TP:\s+(\S+)/m),
      falseNegative: value(/^FN:\s+(\S+)/m),
      falsePositive: value(/^FP:\s+(\S+)/m),
      dice: value(/^DICE:\s+(\S+)/m),
      boundaryHausdorffMm: value(/^Hausdorff distance \(boundary\) = (\S+)/m),
      boundaryAvgAverageMm: value(/^Avg average Hausdorff distance \(boundary\) = (\S+)/m),
      boundaryPercent95Mm: value(/^Percent \(0\.95\) Hausdorff distance \(boundary\) = (\S+)/m),
      report,
    }
  })
}
