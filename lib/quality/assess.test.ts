// The quality report on generated studies: each seeded defect is found (a missing slice, a
// duplicate instance, a tilted slice, out-of-range values, a patient name left in, ...),
// and a clean study gives no finding at all.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import dcmjs from 'dcmjs'
import { readNativeFrame } from '../dicom/native-frame'
import { parseInstance } from '../dicom/parse-instance'
import { generateChestPhantom } from '../synthetic/chest-phantom'
import { studyIdentity } from '../synthetic/studies'
import { writeCtSeries } from '../synthetic/write-ct-series'
import { parseManifest } from '../inference/manifest'
import { readQualityAttributes } from './attributes'
import { assessQuality, summarisePixels, type QualityInstance } from './assess'
import { parseCsv } from './csv'
import { blockingFindings, qualityCsv, type QualityCode } from './findings'

type RawElement = { vr: string; Value?: unknown[] }
const reader = (dcmjs as unknown as { data: { DicomMessage: { readFile(buffer: ArrayBuffer): { dict: Record<string, RawElement>; write(): ArrayBuffer } } } }).data

/** The file with some elements set (dcmjs keys them by group and element in hex). */
function edited(bytes: Uint8Array, elements: Record<string, RawElement>): Uint8Array {
  const file = reader.DicomMessage.readFile(bytes.slice().buffer)
  Object.assign(file.dict, elements)
  return new Uint8Array(file.write())
}

/** A clean 64×64×8 study: no identifying values. */
function cleanFiles(seed: number): Uint8Array[] {
  const phantom = generateChestPhantom({ seed, noduleCount: 1, columns: 64, rows: 64, slices: 8, pixelSpacing: 5, sliceSpacing: 2.5 })
  return writeCtSeries(phantom, { ...studyIdentity(seed, ''), patientName: '', accessionNumber: '' })
}

function assess(files: Uint8Array[], options: Parameters<typeof assessQuality>[1] = {}) {
  const items: QualityInstance[] = files.map((bytes, index) => {
    const parsed = parseInstance(bytes, `slice${index + 1}.dcm`, index)
    assert.ok(parsed.ok, parsed.ok ? '' : parsed.rejection.reason)
    const attributes = readQualityAttributes(bytes)
    return { instance: parsed.instance, attributes, pixels: summarisePixels(readNativeFrame(bytes, parsed.instance), parsed.instance, attributes) }
  })
  return assessQuality(items, options)
}

const codes = (findings: ReturnType<typeof assess>) => findings.map((finding) => finding.code).sort()

const lesionManifest = parseManifest({
  version: '1.0.0',
  task: 'test',
  description: 'test',
  authors: 'test',
  intended_use: 'test',
  network_data_format: {
    inputs: { image: { type: 'image', format: 'hounsfield', num_channels: 1, spatial_shape: [64, 64], dtype: 'float32' } },
    outputs: { logits: { type: 'logits', format: 'segmentation', num_channels: 1, spatial_shape: [64, 64], dtype: 'float32' } },
  },
  parallax: {
    id: 'test-model',
    name: 'Test',
    kind: 'segmentation',
    dimensionality: '2d',
    modalities: ['CT'],
    requirements: { bodyParts: ['CHEST'], sliceThicknessMm: { min: 1, max: 3 }, orientation: 'axial' },
    file: { name: 'model.onnx', sha256: '0'.repeat(64) },
    input: 'image',
    output: 'logits',
    preprocessing: { grid: 'native', normalisation: { method: 'min-max' } },
    postprocessing: { activation: 'sigmoid', threshold: 0.5 },
    labels: [{ value: 1, name: 'Nodule', color: [255, 0, 0] }],
  },
})

describe('assessQuality', () => {
  it('finds nothing on clean studies, with or without a model whose requirements they meet', () => {
    for (const seed of [101, 102, 103]) {
      assert.deepEqual(assess(cleanFiles(seed)), [])
      assert.deepEqual(assess(cleanFiles(seed), { model: lesionManifest.parallax }), [])
    }
  })

  const seeded: [string, (files: Uint8Array[]) => Uint8Array[], QualityCode[]][] = [
    ['a missing slice', (files) => files.filter((_, index) => index !== 4), ['gap']],
    ['a duplicate instance (the same file twice)', (files) => [...files, files[2]!], ['duplicate-sop-instance-uid']],
    ['a duplicate instance (a copy under a new UID)', (files) => [...files, edited(files[2]!, { '00080018': { vr: 'UI', Value: ['2.25.99887766'] } })], ['duplicate-position']],
    [
      'a tilted slice',
      (files) => files.map((bytes, index) => (index === 3 ? edited(bytes, { '00200037': { vr: 'DS', Value: [1, 0, 0, 0, Math.cos(0.2), Math.sin(0.2)] } }) : bytes)),
      ['mixed-orientation'],
    ],
    ['gantry tilt', (files) => files.map((bytes) => edited(bytes, { '00181120': { vr: 'DS', Value: [12] } })), ['gantry-tilt']],
    ['out-of-range values', (files) => files.map((bytes, index) => (index === 5 ? edited(bytes, { '00281052': { vr: 'DS', Value: [-1500] } }) : bytes)), ['below-physical-range']],
    ['a patient name left in', (files) => files.map((bytes) => edited(bytes, { '00100010': { vr: 'PN', Value: [{ Alphabetic: 'Doe^Jane' }] } })), ['identifying-attributes']],
    [
      'a birth date in one file',
      (files) => files.map((bytes, index) => (index === 0 ? edited(bytes, { '00100030': { vr: 'DA', Value: ['19700101'] } }) : bytes)),
      ['identifying-attributes'],
    ],
    ['burned-in annotation', (files) => files.map((bytes) => edited(bytes, { '00280301': { vr: 'CS', Value: ['YES'] } })), ['burned-in-annotation']],
    ['a missing pixel spacing', (files) => files.map((bytes, index) => (index === 1 ? edited(bytes, { '00280030': { vr: 'DS', Value: [] } }) : bytes)), ['missing-attribute']],
  ]
  for (const [defect, seed, expected] of seeded) {
    it(`finds ${defect}`, () => {
      const findings = assess(seed(cleanFiles(104)))
      for (const code of expected) assert.ok(codes(findings).includes(code), `${defect}: ${code} not in ${JSON.stringify(findings, null, 1)}`)
      for (const finding of findings) assert.ok(finding.message.length > 10)
    })
  }

  it('names the identifying attribute left in', () => {
    const findings = assess(cleanFiles(105).map((bytes) => edited(bytes, { '00100010': { vr: 'PN', Value: [{ Alphabetic: 'Doe^Jane' }] } })))
    assert.match(findings.find((finding) => finding.code === 'identifying-attributes')!.message, /Patient's Name/)
  })

  it('checks the series against the model: modality, body part, slice thickness, orientation', () => {
    const files = cleanFiles(106)
    const mr = files.map((bytes) => edited(bytes, { '00080060': { vr: 'CS', Value: ['MR'] } }))
    assert.deepEqual(codes(blockingFindings(assess(mr, { model: lesionManifest.parallax }))), ['modality-mismatch'])
    const head = files.map((bytes) => edited(bytes, { '00180015': { vr: 'CS', Value: ['HEAD'] } }))
    assert.deepEqual(codes(blockingFindings(assess(head, { model: lesionManifest.parallax }))), ['body-part-mismatch'])
    const thick = files.map((bytes) => edited(bytes, { '00180050': { vr: 'DS', Value: [5] } }))
    assert.deepEqual(codes(blockingFindings(assess(thick, { model: lesionManifest.parallax }))), ['slice-thickness-out-of-range'])
    // Coronal slices step along the patient's front-back axis.
    const coronal = files.map((bytes, index) => edited(bytes, { '00200037': { vr: 'DS', Value: [1, 0, 0, 0, 0, -1] }, '00200032': { vr: 'DS', Value: [-160, index * 2.5, 80] } }))
    assert.deepEqual(codes(blockingFindings(assess(coronal, { model: lesionManifest.parallax }))), ['orientation-mismatch'])
    // Without the model, none of these is a finding.
    assert.deepEqual(assess(coronal), [])
  })

  it('writes the findings as CSV that reads back', () => {
    const findings = assess(cleanFiles(107).filter((_, index) => index !== 4))
    const rows = parseCsv(qualityCsv(findings))
    assert.equal(rows.length, findings.length)
    assert.equal(rows[0]!.code, 'gap')
    assert.equal(rows[0]!.message, findings[0]!.message)
  })
})
