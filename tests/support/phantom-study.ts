import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { ChestPhantom } from '../../lib/synthetic/chest-phantom'
import { writeCtSeries, type SeriesIdentity } from '../../lib/synthetic/write-ct-series'

/** A phantom written as a CT series into a fresh temporary folder; the files' paths, in slice order. */
export function writePhantomStudy(phantom: ChestPhantom, identity: SeriesIdentity): string[] {
  const dir = mkdtempSync(path.join(tmpdir(), 'parallax-phantom-'))
  return writeCtSeries(phantom, identity).map((bytes, index) => {
    const file = path.join(dir, `slice${String(index + 1).padStart(3, '0')}.dcm`)
    writeFileSync(file, bytes)
    return file
  })
}
