// Structure-aware mutations of a seed file (dicom-model.ts). Each mutation is a plain
// object with explicit parameters, so a mutant is described by its seed file and a short
// recipe, and the worst ones can be written down as fixtures (tests/support/fuzz-fixtures.ts);
// random-mutations.ts chooses the parameters for a campaign.
import { concat, encodeMutant, type ElementInfo, type SeedModel } from './dicom-model'

export type Mutation =
  /** Declared length of an element, of a sequence item (`item`), or of a pixel data fragment. */
  | { op: 'length'; path: string; value: number }
  | { op: 'item-length'; path: string; value: number }
  | { op: 'fragment-length'; index: number; value: number }
  | { op: 'vr'; path: string; vr: [number, number] }
  | { op: 'tag'; path: string; tag: number }
  /** A new value: `uint16` in place (US), or `text` with the length field updated. */
  | { op: 'value'; path: string; uint16?: number; text?: string }
  | { op: 'remove'; path: string }
  | { op: 'duplicate'; path: string; before: string }
  /** `depth` undefined-length sequences, one inside the other, before an element. */
  | { op: 'nest'; before: string; depth: number; delimited: boolean }
  /** Removes the sequence delimiter that ends an undefined-length value. */
  | { op: 'drop-delimiter'; path: string }
  | { op: 'syntax'; uid: string }
  | { op: 'fragment'; index: number; action: 'drop' | 'duplicate' | 'truncate' | 'split'; amount: number }
  | { op: 'offset-table'; offsets: number[] }
  /** One byte of a fragment's codestream (its header sits in the first bytes). */
  | { op: 'codestream'; index: number; at: number; value: number }
  // On the file as written (after deflating again): where a fraction of the length says.
  | { op: 'truncate'; fraction: number }
  | { op: 'flip'; fraction: number; mask: number }
  | { op: 'preamble'; mode: 'strip' | 'strip-meta' | 'garbage' }

export interface Recipe {
  /** The seed's name, relative to its corpus root (seeds.ts). */
  seed: string
  mutations: Mutation[]
}

interface Patch {
  offset: number
  remove: number
  insert: Uint8Array
}

const FINAL_OPS = new Set<Mutation['op']>(['truncate', 'flip', 'preamble'])

/** The mutant's bytes. Mutations whose target the seed lacks, or that overlap an earlier one, are skipped. */
export function applyMutations(model: SeedModel, mutations: readonly Mutation[]): Uint8Array {
  const patches: Patch[] = []
  for (const mutation of mutations) if (!FINAL_OPS.has(mutation.op)) patches.push(...patchesFor(model, mutation))
  const { bytes: plain, metaEnd } = applyPatches(model.plain, patches, model.metaEnd)
  let bytes = encodeMutant(model, plain, metaEnd)
  for (const mutation of mutations) if (FINAL_OPS.has(mutation.op)) bytes = applyFinal(bytes, metaEnd, mutation)
  return bytes
}

function applyPatches(source: Uint8Array, patches: Patch[], metaEnd: number): { bytes: Uint8Array; metaEnd: number } {
  // Applied from the end backwards so earlier offsets stay valid; overlapping patches are dropped.
  const ordered = [...patches].sort((a, b) => b.offset - a.offset || b.remove - a.remove)
  let bytes = source
  let lowest = Number.POSITIVE_INFINITY
  let newMetaEnd = metaEnd
  for (const patch of ordered) {
    if (patch.offset < 0 || patch.offset + patch.remove > bytes.length) continue
    if (patch.offset + patch.remove > lowest) continue
    bytes = concat(bytes.subarray(0, patch.offset), patch.insert, bytes.subarray(patch.offset + patch.remove))
    lowest = patch.offset
    if (patch.offset < metaEnd) newMetaEnd += patch.insert.length - patch.remove
  }
  return { bytes, metaEnd: newMetaEnd }
}

function uint(value: number, size: 2 | 4, littleEndian: boolean): Uint8Array {
  const out = new Uint8Array(size)
  const view = new DataView(out.buffer)
  if (size === 2) view.setUint16(0, value & 0xffff, littleEndian)
  else view.setUint32(0, value >>> 0, littleEndian)
  return out
}

const replace = (offset: number, bytes: Uint8Array): Patch => ({ offset, remove: bytes.length, insert: bytes })
const ascii = (text: string) => new TextEncoder().encode(text)

function elementAt(model: SeedModel, path: string): ElementInfo | undefined {
  return model.elements.find((element) => element.path === path)
}

function patchesFor(model: SeedModel, mutation: Mutation): Patch[] {
  switch (mutation.op) {
    case 'length': {
      const element = elementAt(model, mutation.path)
      return element ? [replace(element.lengthOffset, uint(mutation.value, element.lengthBytes, element.littleEndian))] : []
    }
    case 'item-length': {
      const item = model.items.find((candidate) => candidate.path === mutation.path)
      return item ? [replace(item.headerOffset + 4, uint(mutation.value, 4, item.littleEndian))] : []
    }
    case 'fragment-length': {
      const fragment = model.fragments[mutation.index]
      return fragment ? [replace(fragment.headerOffset + 4, uint(mutation.value, 4, true))] : []
    }
    case 'vr': {
      const element = elementAt(model, mutation.path)
      return element?.vrOffset != null ? [replace(element.vrOffset, Uint8Array.from(mutation.vr))] : []
    }
    case 'tag': {
      const element = elementAt(model, mutation.path)
      if (!element) return []
      return [replace(element.headerOffset, concat(uint(mutation.tag >>> 16, 2, element.littleEndian), uint(mutation.tag & 0xffff, 2, element.littleEndian)))]
    }
    case 'value':
      return valuePatches(model, mutation)
    case 'remove': {
      const element = elementAt(model, mutation.path)
      return element ? [{ offset: element.headerOffset, remove: element.end - element.headerOffset, insert: new Uint8Array(0) }] : []
    }
    case 'duplicate': {
      const element = elementAt(model, mutation.path)
      const before = elementAt(model, mutation.before)
      if (!element || !before) return []
      return [{ offset: before.headerOffset, remove: 0, insert: model.plain.slice(element.headerOffset, element.end) }]
    }
    case 'nest': {
      const before = elementAt(model, mutation.before)
      return before ? [{ offset: before.headerOffset, remove: 0, insert: nestedSequences(before, mutation.depth, mutation.delimited) }] : []
    }
    case 'drop-delimiter': {
      const element = elementAt(model, mutation.path)
      return element?.undefinedLength ? [{ offset: element.end - 8, remove: 8, insert: new Uint8Array(0) }] : []
    }
    case 'syntax':
      return syntaxPatches(model, mutation.uid)
    case 'fragment':
      return fragmentPatches(model, mutation)
    case 'offset-table': {
      const table = model.offsetTable
      if (!table) return []
      const values = concat(...mutation.offsets.map((offset) => uint(offset, 4, true)))
      return [{ offset: table.headerOffset + 4, remove: 4 + table.length, insert: concat(uint(values.length, 4, true), values) }]
    }
    case 'codestream': {
      const fragment = model.fragments[mutation.index]
      if (!fragment || mutation.at >= fragment.length) return []
      return [replace(fragment.position + mutation.at, Uint8Array.of(mutation.value & 0xff))]
    }
    case 'truncate':
    case 'flip':
    case 'preamble':
      return []
  }
}

function valuePatches(model: SeedModel, mutation: Extract<Mutation, { op: 'value' }>): Patch[] {
  const element = elementAt(model, mutation.path)
  if (!element) return []
  const length = element.end - element.dataOffset
  if (mutation.uint16 !== undefined) return length >= 2 ? [replace(element.dataOffset, uint(mutation.uint16, 2, element.littleEndian))] : []
  const text = mutation.text ?? ''
  // Values have even length: strings pad with a space (UIDs with NUL).
  const value = ascii(text.length % 2 === 0 ? text : text + (element.vr === 'UI' ? '\0' : ' '))
  if (element.lengthBytes === 2 && value.length > 0xffff) return []
  return [replace(element.lengthOffset, uint(value.length, element.lengthBytes, element.littleEndian)), { offset: element.dataOffset, remove: length, insert: value }]
}

function nestedSequences(before: ElementInfo, depth: number, delimited: boolean): Uint8Array {
  const le = before.littleEndian
  const explicit = before.vrOffset !== null
  const tag = (group: number, element: number) => concat(uint(group, 2, le), uint(element, 2, le))
  // A private sequence (0009,1010) of one undefined-length item, nested `depth` times.
  const open = concat(
    tag(0x0009, 0x1010),
    explicit ? concat(ascii('SQ'), new Uint8Array(2)) : new Uint8Array(0),
    uint(0xffffffff, 4, le),
    tag(0xfffe, 0xe000),
    uint(0xffffffff, 4, le),
  )
  const close = concat(tag(0xfffe, 0xe00d), uint(0, 4, le), tag(0xfffe, 0xe0dd), uint(0, 4, le))
  const parts: Uint8Array[] = []
  for (let level = 0; level < depth; level++) parts.push(open)
  if (delimited) for (let level = 0; level < depth; level++) parts.push(close)
  return concat(...parts)
}

function syntaxPatches(model: SeedModel, uid: string): Patch[] {
  const element = elementAt(model, 'x00020010')
  const groupLength = elementAt(model, 'x00020000')
  if (!element || !groupLength) return []
  const value = ascii(uid.length % 2 === 0 ? uid : `${uid}\0`)
  const oldLength = element.end - element.dataOffset
  const metaLength = model.metaEnd - groupLength.end + value.length - oldLength
  return [
    replace(groupLength.dataOffset, uint(metaLength, 4, true)),
    replace(element.lengthOffset, uint(value.length, 2, true)),
    { offset: element.dataOffset, remove: oldLength, insert: value },
  ]
}

function fragmentPatches(model: SeedModel, mutation: Extract<Mutation, { op: 'fragment' }>): Patch[] {
  const fragment = model.fragments[mutation.index]
  if (!fragment) return []
  const whole = { offset: fragment.headerOffset, end: fragment.position + fragment.length }
  switch (mutation.action) {
    case 'drop':
      return [{ offset: whole.offset, remove: whole.end - whole.offset, insert: new Uint8Array(0) }]
    case 'duplicate':
      return [{ offset: whole.end, remove: 0, insert: model.plain.slice(whole.offset, whole.end) }]
    case 'truncate': {
      const cut = Math.min(fragment.length, Math.max(1, mutation.amount))
      return [replace(fragment.headerOffset + 4, uint(fragment.length - cut, 4, true)), { offset: whole.end - cut, remove: cut, insert: new Uint8Array(0) }]
    }
    case 'split': {
      const at = Math.min(fragment.length, Math.max(0, mutation.amount))
      const header = concat(uint(0xfffe, 2, true), uint(0xe000, 2, true), uint(fragment.length - at, 4, true))
      return [replace(fragment.headerOffset + 4, uint(at, 4, true)), { offset: fragment.position + at, remove: 0, insert: header }]
    }
  }
}

function applyFinal(bytes: Uint8Array, metaEnd: number, mutation: Mutation): Uint8Array {
  switch (mutation.op) {
    case 'truncate':
      return bytes.slice(0, Math.floor(mutation.fraction * bytes.length))
    case 'flip': {
      const out = new Uint8Array(bytes)
      const at = Math.min(out.length - 1, Math.floor(mutation.fraction * out.length))
      if (at >= 0) out[at]! ^= mutation.mask
      return out
    }
    case 'preamble':
      if (mutation.mode === 'strip') return bytes.slice(132)
      if (mutation.mode === 'strip-meta') return bytes.slice(Math.min(metaEnd, bytes.length))
      return concat(ascii('GARBAGE!'.repeat(16)), bytes.subarray(128))
    default:
      return bytes
  }
}
