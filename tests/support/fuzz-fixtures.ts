// The worst cases the fuzzer found (tests/fuzz/), written down as named mutations of real
// files so that the unit suite and the end-to-end drop (tests/e2e/bad-input.spec.ts) get
// the same bytes: each once got past ingestion and then made the viewer's reader allocate
// gigabytes, throw where the page could not catch it, or draw an image of the wrong size;
// the last few are files mature viewers open that we once refused. Built from the shared
// data (PARALLAX_DATA_DIR); none when it is missing.
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { modelSeed, type SeedModel } from '../fuzz/dicom-model'
import { applyMutations, type Mutation } from '../fuzz/mutations'
import { resolveSeed } from '../fuzz/seeds'

export type FixtureExpectation =
  /** Ingestion refuses it, with a reason matching `reason`. */
  | 'rejected'
  /** It opens with a warning of this kind, and decodes. */
  | 'warning'
  /** It opens and decodes as is (after the decoder's rewrite). */
  | 'opens'
  /** It opens, but the viewer's decoder refuses it: a per-file error, not a page error. */
  | 'undecodable'

interface FixtureRecipe {
  name: string
  seed: string
  mutations: (model: SeedModel) => Mutation[]
  expect: FixtureExpectation
  reason?: RegExp
  warning?: string
}

const TS = 'shared/transfer-syntaxes'
const CT_EXPLICIT = `${TS}/CTImage.dcm_LittleEndianExplicitTransferSyntax_1.2.840.10008.1.2.1.dcm`
const CT_JPEG_LS = `${TS}/CTImage.dcm_JPEGLSLosslessTransferSyntax_1.2.840.10008.1.2.4.80.dcm`
const CT_J2K = `${TS}/CTImage.dcm_JPEG2000LosslessOnlyTransferSyntax_1.2.840.10008.1.2.4.90.dcm`

/** Offset, in fragment `index`, of the first byte after the JPEG marker `marker` (FFxx). */
function afterMarker(model: SeedModel, index: number, marker: number): number {
  const fragment = model.fragments[index]!
  const stream = model.plain.subarray(fragment.position, fragment.position + fragment.length)
  for (let at = 0; at + 1 < stream.length; at++) if (stream[at] === 0xff && stream[at + 1] === marker) return at + 2
  throw new Error(`marker FF${marker.toString(16)} not found in ${model.name}`)
}

const RECIPES: FixtureRecipe[] = [
  {
    // dcmjs: "Finding view is past end of input", after reserving 3.7 GB.
    name: 'delimiter-in-private-item.dcm',
    seed: `${TS}/no-pixel-spacing.dcm`,
    mutations: () => [{ op: 'tag', path: 'x200d110d[0].x200d1001[3].x200d1004', tag: 0xfffee0dd }],
    expect: 'rejected',
    reason: /item or delimiter tag/,
  },
  {
    // dicom-parser reads OV with a 2-byte length, dcmjs with a 4-byte one: 1.4 GB reserved.
    name: 'ov-vr-on-short-element.dcm',
    seed: 'shared/mr-brain/t2-and-perfusion/36444294.dcm',
    mutations: () => [{ op: 'vr', path: 'x00191014', vr: [0x4f, 0x56] }],
    expect: 'rejected',
    reason: /64-bit/,
  },
  {
    name: 'samples-per-pixel-as-at.dcm',
    seed: `${TS}/TestPattern_RGB.dcm`,
    mutations: () => [{ op: 'vr', path: 'x00280002', vr: [0x41, 0x54] }],
    expect: 'rejected',
    reason: /not a whole number of AT values/,
  },
  {
    // Cornerstone's colour conversion threw inside createImage: an uncaught page error.
    name: 'palette-without-palettes.dcm',
    seed: 'shared/ct-chest-lidc0314/000002.dcm',
    mutations: () => [{ op: 'value', path: 'x00280004', text: 'PALETTE COLOR' }],
    expect: 'rejected',
    reason: /PALETTE COLOR image without/,
  },
  {
    name: 'ybr-on-greyscale.dcm',
    seed: `${TS}/CTImage.dcm_BigEndianExplicitTransferSyntax_1.2.840.10008.1.2.2.dcm`,
    mutations: () => [{ op: 'value', path: 'x00280004', text: 'YBR_ICT' }],
    expect: 'rejected',
    reason: /needs 3 samples per pixel, not 1/,
  },
  {
    // The codec sizes its output from the codestream: 512 → 65280 columns.
    name: 'jpeg-ls-frame-wider-than-header.dcm',
    seed: CT_JPEG_LS,
    mutations: (model) => [{ op: 'codestream', index: 0, at: afterMarker(model, 0, 0xf7) + 5, value: 0xff }],
    expect: 'rejected',
    reason: /Compressed pixel data does not match the header/,
  },
  {
    name: 'jpeg-2000-frame-wider-than-header.dcm',
    seed: CT_J2K,
    mutations: (model) => [{ op: 'codestream', index: 0, at: afterMarker(model, 0, 0x51) + 4, value: 0x7f }],
    expect: 'rejected',
    reason: /Compressed pixel data does not match the header/,
  },
  {
    // CharLS took 8 to 15 seconds to refuse it.
    name: 'jpeg-ls-frame-cut-short.dcm',
    seed: 'shared/ct-chest-lidc0314/000001.dcm',
    mutations: () => [{ op: 'fragment', index: 0, action: 'truncate', amount: 19 }],
    expect: 'rejected',
    reason: /does not end with an end-of-image marker/,
  },
  {
    name: 'frame-of-eight-gigabytes.dcm',
    seed: CT_J2K,
    mutations: () => [
      { op: 'value', path: 'x00280010', uint16: 65535 },
      { op: 'value', path: 'x00280011', uint16: 65535 },
    ],
    expect: 'rejected',
    reason: /too large to display/,
  },
  {
    name: 'pixel-data-length-far-beyond-the-file.dcm',
    seed: CT_EXPLICIT,
    mutations: () => [{ op: 'length', path: 'x7fe00010', value: 0x7ffffff0 }],
    expect: 'rejected',
    reason: /truncated or corrupt/,
  },
  {
    name: 'fragment-length-far-beyond-the-file.dcm',
    seed: CT_JPEG_LS,
    mutations: () => [{ op: 'fragment-length', index: 0, value: 0x7ffffff0 }],
    expect: 'rejected',
    reason: /truncated|corrupt/,
  },
  {
    name: 'sequences-nested-20000-deep.dcm',
    seed: CT_EXPLICIT,
    mutations: () => [{ op: 'nest', before: 'x00100010', depth: 20000, delimited: false }],
    expect: 'rejected',
    reason: /nested too deeply|truncated/,
  },
  {
    name: 'offset-table-past-the-end.dcm',
    seed: `${TS}/CT0012.fragmented_no_bot_jpeg_baseline.51.dcm`,
    mutations: () => [{ op: 'offset-table', offsets: [0, 0xfffffff0] }],
    expect: 'rejected',
    reason: /./,
  },
  {
    name: 'file-meta-inside-the-data-set.dcm',
    seed: `${TS}/CTImage.dcm_JPEGProcess6_8TransferSyntax_1.2.840.10008.1.2.4.53.dcm`,
    mutations: () => [{ op: 'tag', path: 'x00191071', tag: 0x00020000 }],
    expect: 'rejected',
    reason: /appears twice/,
  },
  {
    // dcmjs trusts (0002,0000) to find the data set: 5 GB reserved for misread lengths.
    name: 'meta-group-length-wrong.dcm',
    seed: CT_JPEG_LS,
    mutations: () => [{ op: 'remove', path: 'x00020002' }],
    expect: 'opens',
  },
  {
    // Two values per pixel where the viewport expects three: the `setOrigin` TypeError.
    name: 'ybr-full-422-native.dcm',
    seed: `${TS}/US-YBR_FULL_422-EVRLE.dcm`,
    mutations: () => [],
    expect: 'opens',
  },
  {
    name: 'segmentation-one-bit.dcm',
    seed: 'shared/pet-headneck/SEG/tumor_User1_Manual_Trial1.dcm',
    mutations: () => [],
    expect: 'opens',
  },
  {
    name: 'character-set-unknown.dcm',
    seed: 'shared/mr-brain/t2-and-perfusion/36444280.dcm',
    mutations: () => [{ op: 'value', path: 'x00080005', text: 'GARBAGE' }],
    expect: 'undecodable',
  },
  {
    name: 'no-preamble.dcm',
    seed: 'shared/ct-chest-lidc0314/000001.dcm',
    mutations: () => [{ op: 'preamble', mode: 'strip' }],
    expect: 'warning',
    warning: 'no-preamble',
  },
  {
    name: 'bare-data-set.dcm',
    seed: 'shared/mr-brain-t1/36747136.dcm',
    mutations: () => [{ op: 'preamble', mode: 'strip-meta' }],
    expect: 'warning',
    warning: 'no-file-meta',
  },
  {
    name: 'no-study-instance-uid.dcm',
    seed: 'shared/pet-headneck/PET/000000.dcm',
    mutations: () => [{ op: 'remove', path: 'x0020000d' }],
    expect: 'warning',
    warning: 'generated-study-uid',
  },
]

export interface FuzzFixture {
  name: string
  bytes: Uint8Array
  expect: FixtureExpectation
  reason?: RegExp
  warning?: string
}

/** The worst cases as files; empty when the shared data is not there. */
export function fuzzFixtures(): FuzzFixture[] {
  const models = new Map<string, SeedModel>()
  const fixtures: FuzzFixture[] = []
  for (const { name, seed, mutations, expect, reason, warning } of RECIPES) {
    const file = resolveSeed(seed)
    if (!existsSync(file)) continue
    let model = models.get(seed)
    if (!model) {
      model = modelSeed(seed, new Uint8Array(readFileSync(file)))
      models.set(seed, model)
    }
    fixtures.push({ name, bytes: applyMutations(model, mutations(model)), expect, reason, warning })
  }
  return fixtures
}

/** Writes the fixtures into `dir`; returns their paths. */
export function writeFuzzFixtures(dir: string): string[] {
  return fuzzFixtures().map(({ name, bytes }) => {
    const target = path.join(dir, name)
    writeFileSync(target, bytes)
    return target
  })
}
