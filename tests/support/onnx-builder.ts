// Builds small, valid ONNX models in code (a protobuf encoder for the few onnx.proto
// messages needed), so tests need no model files and no Python to make them. Written
// independently of lib/inference/onnx-model-io.ts, which only decodes and patches.
import { concatBytes } from './dicom-bytes'

export type Dim = number | string | null

export interface ValueSpec {
  name: string
  /** TensorProto.DataType: 1 float (the default), 7 int64, ... */
  elemType?: number
  dims: Dim[]
  /** ValueInfoProto.doc_string, a field the reader ignores and a rewrite must keep. */
  docString?: string
  /** Dimension.denotation per axis (e.g. 'DATA_CHANNEL'), also to be kept. */
  denotations?: (string | undefined)[]
}

export type AttributeValue = { int: number } | { ints: number[] } | { float: number }

export interface NodeSpec {
  opType: string
  inputs: string[]
  outputs: string[]
  name?: string
  attributes?: Record<string, AttributeValue>
}

/** A float32 tensor, stored as raw_data. */
export interface InitializerSpec {
  name: string
  dims: number[]
  values: number[]
}

export interface ModelSpec {
  inputs: ValueSpec[]
  outputs: ValueSpec[]
  nodes: NodeSpec[]
  initializers?: InitializerSpec[]
  valueInfo?: ValueSpec[]
  /** Default-domain opset version. */
  opset?: number
  irVersion?: number
}

const textEncoder = new TextEncoder()
const none = new Uint8Array(0)

/** Negative values take ten bytes (two's complement), as protobuf writes int64. */
export function varint(value: number | bigint): Uint8Array {
  let n = BigInt.asUintN(64, BigInt(value))
  const out: number[] = []
  for (; n >= 0x80n; n >>= 7n) out.push(Number(n & 0x7fn) | 0x80)
  out.push(Number(n))
  return Uint8Array.from(out)
}

export const varintField = (no: number, value: number | bigint) => concatBytes([varint(no * 8), varint(value)])

export function lenField(no: number, body: Uint8Array | string): Uint8Array {
  const bytes = typeof body === 'string' ? textEncoder.encode(body) : body
  return concatBytes([varint(no * 8 + 2), varint(bytes.length), bytes])
}

const float32Field = (no: number, value: number) => {
  const bytes = new Uint8Array(4)
  new DataView(bytes.buffer).setFloat32(0, value, true)
  return concatBytes([varint(no * 8 + 5), bytes])
}

function dimension(dim: Dim, denotation: string | undefined): Uint8Array {
  const value = dim === null ? none : typeof dim === 'number' ? varintField(1, dim) : lenField(2, dim)
  return concatBytes([value, denotation === undefined ? none : lenField(3, denotation)])
}

export function valueInfo({ name, elemType = 1, dims, docString, denotations = [] }: ValueSpec): Uint8Array {
  const shape = concatBytes(dims.map((dim, axis) => lenField(1, dimension(dim, denotations[axis]))))
  const tensorType = concatBytes([varintField(1, elemType), lenField(2, shape)])
  return concatBytes([lenField(1, name), lenField(2, lenField(1, tensorType)), docString === undefined ? none : lenField(3, docString)])
}

export function floatTensor({ name, dims, values }: InitializerSpec): Uint8Array {
  const raw = new Uint8Array(values.length * 4)
  const view = new DataView(raw.buffer)
  values.forEach((value, i) => view.setFloat32(i * 4, value, true))
  return concatBytes([...dims.map((dim) => varintField(1, dim)), varintField(2, 1), lenField(8, name), lenField(9, raw)])
}

function attribute(name: string, value: AttributeValue): Uint8Array {
  // AttributeProto.type: FLOAT = 1, INT = 2, INTS = 7.
  if ('float' in value) return concatBytes([lenField(1, name), float32Field(2, value.float), varintField(20, 1)])
  if ('int' in value) return concatBytes([lenField(1, name), varintField(3, value.int), varintField(20, 2)])
  return concatBytes([lenField(1, name), lenField(8, concatBytes(value.ints.map((i) => varint(i)))), varintField(20, 7)])
}

export function nodeProto({ opType, inputs, outputs, name, attributes = {} }: NodeSpec): Uint8Array {
  return concatBytes([
    ...inputs.map((input) => lenField(1, input)),
    ...outputs.map((output) => lenField(2, output)),
    name === undefined ? none : lenField(3, name),
    lenField(4, opType),
    ...Object.entries(attributes).map(([key, value]) => lenField(5, attribute(key, value))),
  ])
}

/**
 * ONNX bytes for the graph. The graph goes last, after opset_import, so that every strict
 * prefix of the result is an incomplete model (a reader must notice the missing graph).
 */
export function buildOnnxModel({ inputs, outputs, nodes, initializers = [], valueInfo: intermediates = [], opset = 13, irVersion = 8 }: ModelSpec): Uint8Array {
  const graph = concatBytes([
    ...nodes.map((spec) => lenField(1, nodeProto(spec))),
    lenField(2, 'test-graph'),
    ...initializers.map((spec) => lenField(5, floatTensor(spec))),
    ...inputs.map((spec) => lenField(11, valueInfo(spec))),
    ...outputs.map((spec) => lenField(12, valueInfo(spec))),
    ...intermediates.map((spec) => lenField(13, valueInfo(spec))),
  ])
  const opsetImport = concatBytes([lenField(1, ''), varintField(2, opset)])
  return concatBytes([varintField(1, irVersion), lenField(2, 'parallax-tests'), lenField(8, opsetImport), lenField(7, graph)])
}
