// A drop revised once its files are read whole (files refused then leave it): the shown
// series stays shown, and the revision is not counted as another drop. The image a set opens
// on is the store's selection and what the page asks for early, so one test pins both.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { generateChestPhantom } from '../synthetic/chest-phantom'
import { studyIdentity } from '../synthetic/studies'
import { writeCtSeries } from '../synthetic/write-ct-series'
import { ingestFiles, type IngestInput } from '../dicom/ingest'
import { parseInstanceHeader } from '../dicom/parse-instance'
import type { StudySet } from '../dicom/study-set'
import { initialSliceIndex } from '../viewer/initial-slice'
import { openingImage, StudySetStore } from './study-set-store'

function setOf(result: StudySet['result']): StudySet {
  return { result, imageIdsBySeries: new Map(), segmentations: [], source: 'local', sourceRef: null }
}

/** Inputs as the ingestion worker gives them: read from their heads. */
const fromHeads = (files: Uint8Array[]): IngestInput[] =>
  files.map((bytes, index) => {
    const head = bytes.subarray(0, bytes.length - 16)
    const header = parseInstanceHeader(head, bytes.length, `IM${index + 1}`, index)
    assert.ok(header)
    return { name: `IM${index + 1}`, bytes: head, header }
  })

/** A series of its own (its own study) per seed. */
const slices = (seed: number, count: number) => {
  const phantom = generateChestPhantom({ seed, noduleCount: 0, columns: 16, rows: 16, slices: count, pixelSpacing: 5, sliceSpacing: 2.5 })
  return writeCtSeries(phantom, { ...studyIdentity(seed, ''), patientName: `P${seed}`, accessionNumber: '' })
}

const WADO_ROOT = 'https://pacs.example/dicom-web'
const frameId = (study: string, series: string, sop: string) => `wadors:${WADO_ROOT}/studies/${study}/series/${series}/instances/${sop}/frames/1`

/** A set with image ids as openPacsStudy makes them (these images have one frame each). */
function pacsSetOf(result: StudySet['result']): StudySet {
  const imageIdsBySeries = new Map<string, string[]>()
  for (const study of result.patients.flatMap((patient) => patient.studies)) {
    for (const series of study.series) {
      const images = series.instances.filter((instance) => instance.hasPixelData)
      imageIdsBySeries.set(
        series.seriesInstanceUid,
        images.map((instance) => frameId(study.studyInstanceUid, series.seriesInstanceUid, instance.sopInstanceUid)),
      )
    }
  }
  return { result, imageIdsBySeries, segmentations: [], source: 'dicomweb', sourceRef: 'pacs-1' }
}

describe('openingImage', () => {
  it('opens a follow-up on the current study, at its most superior slice, the series the store selects', () => {
    // One patient's prior and current chest CT, the prior's files first and the current's in
    // reverse: neither file order nor slice index 0 is the answer.
    const patient = { patientName: 'Phantom^Followup', patientId: 'PHANTOM-FU', accessionNumber: '' }
    const chest = (seed: number, count: number, studyDate: string) => {
      const identity = { ...studyIdentity(seed, ''), ...patient, studyDate }
      const phantom = generateChestPhantom({ seed, noduleCount: 0, columns: 16, rows: 16, slices: count, pixelSpacing: 5, sliceSpacing: 2.5 })
      return { identity, files: writeCtSeries(phantom, identity) }
    }
    const prior = chest(1, 4, '20250301')
    const current = chest(2, 6, '20260301')
    const set = pacsSetOf(ingestFiles(fromHeads([...prior.files, ...current.files.reverse()])).result)

    const opening = openingImage(set)
    const { studyInstanceUid, seriesInstanceUid, sopUidPrefix } = current.identity
    assert.equal(opening?.entry.series.seriesInstanceUid, seriesInstanceUid)
    // The writer steps z up by slice: the sixth is the head end.
    assert.equal(opening.imageId, frameId(studyInstanceUid, seriesInstanceUid, `${sopUidPrefix}.6`))

    const store = new StudySetStore()
    store.adopt(set)
    const { selected, series } = store.snapshot
    assert.ok(selected && series.includes(selected))
    assert.equal(selected.series.seriesInstanceUid, seriesInstanceUid)
    // What the viewer page shows of the selected series on adoption.
    assert.equal(store.imageIdsOf(seriesInstanceUid)[initialSliceIndex(selected.series)], opening.imageId)
  })
})

describe('StudySetStore.revise', () => {
  it('keeps the selected series and layout, updates the rejections, and counts no new drop', () => {
    const files = fromHeads([...slices(1, 3), ...slices(2, 2)])
    const { result } = ingestFiles(files)
    const store = new StudySetStore()
    store.adopt(setOf(result))
    const second = store.snapshot.series[1]!.series.seriesInstanceUid
    store.select(second, 'mpr')
    const refused = store.snapshot.selected!.series.instances[0]!
    store.revise(setOf(ingestFiles(files, { refused: new Map([[refused.fileIndex, 'File is truncated']]) }).result))
    assert.equal(store.snapshot.selected?.series.seriesInstanceUid, second)
    assert.equal(store.snapshot.selected?.series.instances.length, 1)
    assert.equal(store.snapshot.layout, 'mpr')
    assert.deepEqual(store.snapshot.rejected, [{ source: refused.source, reason: 'File is truncated' }])
    assert.equal(store.snapshot.ingestCount, 1)
  })

  it('shows the first series in the stack when the shown one lost every file', () => {
    const files = fromHeads([...slices(1, 2), ...slices(2, 1)])
    const { result } = ingestFiles(files)
    const store = new StudySetStore()
    store.adopt(setOf(result))
    const only = store.snapshot.series.find((entry) => entry.series.instances.length === 1)!
    store.select(only.series.seriesInstanceUid, 'mpr')
    const refused = only.series.instances[0]!
    store.revise(setOf(ingestFiles(files, { refused: new Map([[refused.fileIndex, 'corrupt']]) }).result))
    assert.equal(store.snapshot.series.length, 1)
    assert.equal(store.snapshot.selected, store.snapshot.series[0])
    assert.equal(store.snapshot.layout, 'stack')
  })
})
