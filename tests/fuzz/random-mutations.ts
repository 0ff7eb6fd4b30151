// Random mutations of a seed, with parameters chosen from its own structure: lengths near
// and far beyond the end, VRs that change how a header is read, tags that turn elements into
// items or delimiters, nesting thousands deep, another transfer syntax, broken fragments,
// corrupt codestream headers. Weighted towards the structure-aware operators; a few plain
// bit flips and truncations as well.
import { VALUE_REPRESENTATIONS } from '../../lib/dicom/dataset-integrity'
import type { SeedModel } from './dicom-model'
import type { Mutation } from './mutations'
import type { Rng } from './rng'

// Every VR the parser knows, in its order (so a seed picks the same mutants as before).
const VRS = [...VALUE_REPRESENTATIONS]
const US_TAGS = ['x00280002', 'x00280006', 'x00280010', 'x00280011', 'x00280100', 'x00280101', 'x00280102', 'x00280103']
const US_VALUES = [0, 1, 2, 3, 4, 7, 8, 12, 15, 16, 17, 24, 31, 32, 33, 64, 255, 256, 4096, 8192, 16384, 32768, 65535]
const TEXT_VALUES: Record<string, string[]> = {
  x00280008: ['0', '-1', '1', '2', '3', '13', '9999999', '2147483648', '1e3', 'abc', '', ' 2', '1.5'],
  x00280004: ['MONOCHROME1', 'MONOCHROME2', 'RGB', 'YBR_FULL', 'YBR_FULL_422', 'YBR_RCT', 'YBR_ICT', 'PALETTE COLOR', 'XYZ', '', 'ARGB'],
  x0020000d: ['', '1.2.3', 'not a uid', '1'.repeat(70)],
  x0020000e: ['', '1.2.3', 'not a uid'],
  x00080018: ['', '1.2.3.4', 'not a uid'],
  x00080016: ['1.2.840.10008.5.1.4.1.1.481.5', '1.2.840.10008.5.1.4.1.1.88.11', '1.2.840.10008.5.1.4.1.1.2', '1.2.3', ''],
  x00280030: ['\\', 'nan\\nan', '1e309\\1', '0\\0', '-1\\-1', '0.5'],
  x00200032: ['\\\\', 'nan\\0\\0', '1e309\\0\\0', '1\\2'],
  x00200037: ['0\\0\\0\\0\\0\\0', 'nan\\0\\0\\0\\1\\0', '1\\0\\0\\1\\0\\0'],
  x00281050: ['0', '-1e308', 'abc', '1e309'],
  x00281051: ['0', '-1', 'abc', '1e309'],
  x00281053: ['0', '1e308', 'nan', '-1'],
  x00281052: ['1e308', 'nan', '-32768'],
  x00080005: ['ISO 2022 IR 87', 'GARBAGE', 'ISO_IR 192', 'ISO_IR 100\\ISO 2022 IR 87'],
  x00020010: ['1.2.840.10008.1.2', '1.2.3'],
}
const TAGS = [
  0x7fe00010, 0x00280010, 0x00280011, 0x00280100, 0x00020010, 0xfffee000, 0xfffee00d, 0xfffee0dd, 0x00000000, 0xffffffff, 0x00091010, 0x00020000, 0x52009230, 0x7fe00008,
]
const SYNTAXES = [
  '1.2.840.10008.1.2',
  '1.2.840.10008.1.2.1',
  '1.2.840.10008.1.2.1.99',
  '1.2.840.10008.1.2.2',
  '1.2.840.10008.1.2.1.98',
  '1.2.840.10008.1.2.4.50',
  '1.2.840.10008.1.2.4.51',
  '1.2.840.10008.1.2.4.57',
  '1.2.840.10008.1.2.4.70',
  '1.2.840.10008.1.2.4.80',
  '1.2.840.10008.1.2.4.81',
  '1.2.840.10008.1.2.4.90',
  '1.2.840.10008.1.2.4.91',
  '1.2.840.10008.1.2.4.201',
  '1.2.840.10008.1.2.4.110',
  '1.2.840.10008.1.2.5',
  '1.2.840.10008.1.2.8.1',
  '1.2.3.4',
  '',
]

function lengthValue(rng: Rng, declared: number, room: number, bytes: 2 | 4): number {
  const candidates = [0, 1, declared + 1, declared - 1, declared + 2, declared - 2, declared * 2, room + 2, room + 1, room - 1, rng.int(Math.max(1, room * 2))]
  const wide = [0x7ffffff0, 0xffffffff, 0xfffffffe, 0x80000000, 0x7fffffff]
  const value = bytes === 4 && rng.chance(0.35) ? rng.pick(wide) : rng.pick(candidates)
  return bytes === 2 ? Math.max(0, Math.min(0xffff, value)) : Math.max(0, value) >>> 0
}

type Generator = (model: SeedModel, rng: Rng) => Mutation | null

const dataSetElements = (model: SeedModel) => model.elements.filter((element) => !element.tag.startsWith('x0002'))

const generators: [number, Generator][] = [
  [
    18,
    (model, rng) => {
      const element = rng.pick(model.elements)
      const declared = element.undefinedLength ? 0xffffffff : element.end - element.dataOffset
      return { op: 'length', path: element.path, value: lengthValue(rng, declared, model.plain.length - element.dataOffset, element.lengthBytes) }
    },
  ],
  [
    4,
    (model, rng) => {
      if (model.items.length === 0) return null
      const item = rng.pick(model.items)
      return { op: 'item-length', path: item.path, value: lengthValue(rng, item.end - item.dataOffset, model.plain.length - item.dataOffset, 4) }
    },
  ],
  [
    5,
    (model, rng) => {
      if (model.fragments.length === 0) return null
      const fragment = rng.pick(model.fragments)
      return { op: 'fragment-length', index: fragment.index, value: lengthValue(rng, fragment.length, model.plain.length - fragment.position, 4) }
    },
  ],
  [
    8,
    (model, rng) => {
      const explicit = model.elements.filter((element) => element.vrOffset !== null)
      if (explicit.length === 0) return null
      const vr = rng.chance(0.8) ? rng.pick(VRS) : rng.pick(['ZZ', '\0\0', 'sq', '  '])
      return { op: 'vr', path: rng.pick(explicit).path, vr: [vr.charCodeAt(0), vr.charCodeAt(1)] }
    },
  ],
  [8, (model, rng) => ({ op: 'tag', path: rng.pick(model.elements).path, tag: rng.chance(0.8) ? rng.pick(TAGS) : rng.int(0x100000000) })],
  [
    14,
    (model, rng) => {
      const present = model.elements.filter((element) => US_TAGS.includes(element.path) || Object.hasOwn(TEXT_VALUES, element.path))
      if (present.length === 0) return null
      const element = rng.pick(present)
      if (US_TAGS.includes(element.path)) return { op: 'value', path: element.path, uint16: rng.chance(0.85) ? rng.pick(US_VALUES) : rng.int(0x10000) }
      return { op: 'value', path: element.path, text: rng.pick(TEXT_VALUES[element.path]!) }
    },
  ],
  [6, (model, rng) => ({ op: 'remove', path: rng.pick(model.elements.filter((element) => element.depth === 0 || rng.chance(0.3))).path })],
  [
    3,
    (model, rng) => {
      const elements = dataSetElements(model)
      return elements.length < 2 ? null : { op: 'duplicate', path: rng.pick(elements).path, before: rng.pick(elements).path }
    },
  ],
  [
    4,
    (model, rng) => {
      const topLevel = dataSetElements(model).filter((element) => element.depth === 0)
      if (topLevel.length === 0) return null
      const depth = rng.pick([1, 2, 8, 64, 500, 3000, 20000])
      return { op: 'nest', before: rng.pick(topLevel).path, depth, delimited: rng.chance(0.5) }
    },
  ],
  [
    3,
    (model, rng) => {
      const open = model.elements.filter((element) => element.undefinedLength)
      return open.length === 0 ? null : { op: 'drop-delimiter', path: rng.pick(open).path }
    },
  ],
  [6, (_model, rng) => ({ op: 'syntax', uid: rng.pick(SYNTAXES) })],
  [
    8,
    (model, rng) => {
      if (model.fragments.length === 0) return null
      const fragment = rng.pick(model.fragments)
      const action = rng.pick(['drop', 'duplicate', 'truncate', 'split'] as const)
      return { op: 'fragment', index: fragment.index, action, amount: rng.chance(0.5) ? rng.int(64) + 1 : rng.int(fragment.length + 1) }
    },
  ],
  [
    3,
    (model, rng) => {
      if (!model.offsetTable) return null
      const count = rng.pick([0, 1, 2, model.fragments.length, model.fragments.length + 1, 1000])
      const offsets = Array.from({ length: count }, () => (rng.chance(0.5) ? rng.int(model.plain.length) : rng.pick([0, 0xffffffff, 0x7ffffff0, 1, 3])))
      return { op: 'offset-table', offsets }
    },
  ],
  [
    8,
    (model, rng) => {
      if (model.fragments.length === 0) return null
      const fragment = rng.pick(model.fragments)
      // Mostly the codestream header (dimensions, precision, component count), sometimes anywhere.
      const at = rng.chance(0.8) ? rng.int(Math.min(fragment.length, 256)) : rng.int(fragment.length)
      return { op: 'codestream', index: fragment.index, at, value: rng.chance(0.5) ? rng.pick([0x00, 0xff, 0x7f, 0x80, 0x01]) : rng.int(256) }
    },
  ],
  [6, (_model, rng) => ({ op: 'truncate', fraction: rng.chance(0.3) ? rng.next() * 0.05 : rng.next() })],
  [5, (_model, rng) => ({ op: 'flip', fraction: rng.next(), mask: 1 << rng.int(8) })],
  [3, (_model, rng) => ({ op: 'preamble', mode: rng.pick(['strip', 'strip-meta', 'garbage'] as const) })],
]

const totalWeight = generators.reduce((total, [weight]) => total + weight, 0)

function randomMutation(model: SeedModel, rng: Rng): Mutation {
  for (;;) {
    let roll = rng.next() * totalWeight
    for (const [weight, generate] of generators) {
      roll -= weight
      if (roll < 0) {
        const mutation = generate(model, rng)
        if (mutation) return mutation
        break
      }
    }
  }
}

/** One to three mutations, most often one: each mutant stays close to a real file. */
export function randomMutations(model: SeedModel, rng: Rng): Mutation[] {
  const count = rng.chance(0.6) ? 1 : rng.chance(0.6) ? 2 : 3
  return Array.from({ length: count }, () => randomMutation(model, rng))
}
