// The real case: the 3D Slicer SEG of ../shared/data/pet-headneck (2 segments, 13 frames)
// on its PET series (299 slices). Per-segment voxel counts must equal an independent count
// (pydicom parses, tests/support/seg_frames.py unpacks the bits itself), and each frame
// must land on the PET image it names, which sits at the frame's plane position.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { dciodvfyBytes, missingDciodvfy } from '../../tests/support/dciodvfy'
import { missingSharedData, sharedDataPath } from '../../tests/support/shared-data'
import { missingPydicom, parsedSeries, pydicomSegFrames } from '../../tests/support/seg-series'
import { readLabelmapSeg } from './labelmap-seg'
import { readSeg } from './read-seg'
import { SegError } from './types'
import { writeSeg } from './write-seg'

const skip = missingSharedData('pet-headneck') ?? missingPydicom()

describe('the 3D Slicer PET SEG', { skip }, () => {
  const petDir = sharedDataPath('pet-headneck', 'PET')
  const segFile = path.join(sharedDataPath('pet-headneck', 'SEG'), readdirSync(sharedDataPath('pet-headneck', 'SEG'))[0]!)
  const names = readdirSync(petDir).sort()
  const series = parsedSeries(
    names.map((name) => readFileSync(path.join(petDir, name))),
    names,
  )
  const bytes = readFileSync(segFile)
  const read = readSeg(bytes, series)
  const reference = pydicomSegFrames(segFile)
  const sliceSize = series.instances[0]!.rows * series.instances[0]!.columns

  it('reads both segments with the voxel counts pydicom finds', () => {
    assert.equal(series.instances.length, 299)
    assert.deepEqual(
      read.segments.map((segment) => segment.number),
      reference.segments,
    )
    for (const segment of read.segments) {
      const expected = reference.frames.filter((frame) => frame.segment === segment.number).reduce((sum, frame) => sum + frame.voxels, 0)
      assert.ok(expected > 0)
      assert.equal(segment.voxels, expected, segment.label)
      assert.equal(
        segment.mask.reduce((sum, value) => sum + value, 0),
        expected,
      )
    }
    assert.deepEqual(read.notices, [])
  })

  it('puts every frame on the PET image it references, at the frame position', () => {
    assert.equal(reference.frames.length, 13)
    for (const frame of reference.frames) {
      const slice = series.instances.findIndex((instance) => instance.sopInstanceUid === frame.sopInstanceUid)
      assert.ok(slice >= 0, `frame of segment ${frame.segment} references an image of the PET series`)
      const position = series.instances[slice]!.imagePositionPatient!
      frame.position!.forEach((value, axis) => assert.ok(Math.abs(value - position[axis]!) < 1e-3, `frame position ${frame.position} on image ${position}`))
      const segment = read.segments.find((candidate) => candidate.number === frame.segment)!
      const onSlice = segment.mask.subarray(slice * sliceSize, (slice + 1) * sliceSize).reduce((sum, value) => sum + value, 0)
      const framesOnSlice = reference.frames.filter((other) => other.segment === frame.segment && other.sopInstanceUid === frame.sopInstanceUid)
      assert.equal(
        onSlice,
        framesOnSlice.reduce((sum, other) => sum + other.voxels, 0),
      )
    }
  })

  it('opens as a document of two segments with their codes', () => {
    const { document, overlaps } = readLabelmapSeg(bytes, series)
    assert.deepEqual(
      document.segments.map((segment) => [segment.name, segment.type?.meaning]),
      [
        ['Neoplasm, Primary', 'Neoplasm, Primary'],
        ['Neoplasm, Secondary', 'Neoplasm, Secondary'],
      ],
    )
    // The two tumours do not overlap, so both fit on one labelmap layer whole.
    assert.deepEqual(overlaps, [])
    const counts = document.counts()
    for (const segment of read.segments) assert.equal(counts[segment.number], segment.voxels, segment.label)
  })

  it('exports again on the PET series: dciodvfy passes and the masks read back the same', () => {
    const masks = new Map(read.segments.map((segment) => [segment.number, segment.mask]))
    const written = writeSeg(read.segments, (number) => masks.get(number)!, series, { seriesDescription: 'Re-export', createdAt: new Date('2026-12-01T12:00:00Z'), author: 'Test' })
    if (!missingDciodvfy()) assert.deepEqual(dciodvfyBytes(written.bytes).errors, [])
    for (const segment of readSeg(written.bytes, series).segments) assert.deepEqual(segment.mask, masks.get(segment.number), segment.label)
  })

  it('is refused on another series', () => {
    const other = { seriesInstanceUid: '1.2.3.4', instances: series.instances.map((instance) => ({ ...instance, seriesInstanceUid: '1.2.3.4' })) }
    assert.throws(
      () => readSeg(bytes, other),
      (error) =>
        error instanceof SegError && /refers to series 1\.3\.6\.1\.4\.1\.14519\.5\.2\.1\.2744\.7002\.117357550898198415937979788256, which is not loaded/.test(error.message),
    )
  })
})
