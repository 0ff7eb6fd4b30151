// Independent reference values for end-to-end assertions, read straight from the files
// with dicom-parser (not through lib/dicom), so the tests check the app against the data.
import { readFileSync, readdirSync } from 'node:fs'
import path from 'node:path'
import dicomParser from 'dicom-parser'

export interface ReferenceSlice {
  file: string
  position: [number, number, number]
  along: number
}

export function readSlices(dir: string): { files: string[]; slices: ReferenceSlice[]; pixelSpacing: [number, number]; rows: number; columns: number } {
  const files = readdirSync(dir)
    .filter((name) => !name.startsWith('.'))
    .map((name) => path.join(dir, name))
    .sort()
  let normal: [number, number, number] | null = null
  let pixelSpacing: [number, number] = [0, 0]
  let rows = 0
  let columns = 0
  const slices = files.map((file) => {
    const dataSet = dicomParser.parseDicom(new Uint8Array(readFileSync(file)), { untilTag: 'x7fe00010' })
    const position = (dataSet.string('x00200032') ?? '').split('\\').map(Number) as [number, number, number]
    if (!normal) {
      const o = (dataSet.string('x00200037') ?? '').split('\\').map(Number)
      normal = [o[1]! * o[5]! - o[2]! * o[4]!, o[2]! * o[3]! - o[0]! * o[5]!, o[0]! * o[4]! - o[1]! * o[3]!]
      pixelSpacing = (dataSet.string('x00280030') ?? '').split('\\').map(Number) as [number, number]
      rows = dataSet.uint16('x00280010') ?? 0
      columns = dataSet.uint16('x00280011') ?? 0
    }
    const n = normal
    return { file, position, along: position[0] * n[0] + position[1] * n[1] + position[2] * n[2] }
  })
  slices.sort((a, b) => a.along - b.along)
  return { files, slices, pixelSpacing, rows, columns }
}
