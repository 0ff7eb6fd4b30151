// Reads an ONNX model's declared inputs/outputs (to check a manifest against the real file) and
// makes fixed spatial dims symbolic (so a fully-convolutional model runs on a smaller volume).
// Two small jobs do not justify a protobuf library plus onnx bindings: the wire format is walked here.

export type OnnxElementType = 'float32' | 'float16' | 'int64' | 'int32' | 'uint8' | 'int8' | 'bool' | 'float64' | 'unknown'

export interface OnnxTensorInfo {
  name: string
  elementType: OnnxElementType
  /** number: dim_value; string: dim_param; null: neither set. */
  dims: (number | string | null)[]
}

export interface OnnxModelIo {
  /** Version of the default ("" or "ai.onnx") operator set; null when the model imports none. */
  opsetVersion: number | null
  /** As the graph declares them: with IR < 4 these include initializers (see initializerNames). */
  inputs: OnnxTensorInfo[]
  outputs: OnnxTensorInfo[]
  initializerNames: string[]
}

export class OnnxFormatError extends Error {
  constructor(problem: string) {
    super(`not an ONNX model: ${problem}`)
    this.name = 'OnnxFormatError'
  }
}

const ELEMENT_TYPES: Record<number, OnnxElementType> = { 1: 'float32', 2: 'uint8', 3: 'int8', 6: 'int32', 7: 'int64', 9: 'bool', 10: 'float16', 11: 'float64' }

// Field numbers from onnx.proto, for the messages on the paths walked here.
const MODEL = { graph: 7, opsetImport: 8 }
const OPSET = { domain: 1, version: 2 }
const GRAPH = { initializer: 5, input: 11, output: 12, valueInfo: 13 }
const TENSOR_NAME = 8
const VALUE_INFO = { name: 1, type: 2 }
const TYPE_TENSOR = 1
const TENSOR_TYPE = { elemType: 1, shape: 2 }
const SHAPE_DIM = 1
const DIM = { value: 1, param: 2 }

const VARINT = 0
const LEN = 2

interface Field {
  no: number
  wire: number
  /** Offset of the tag: bytes [start, end) are the whole field, copied verbatim when kept. */
  start: number
  /** Offset of the payload (after the length prefix, for LEN fields). */
  body: number
  end: number
  /** The value of a VARINT field. */
  value: bigint
}

function readVarint(bytes: Uint8Array, pos: number, end: number): { value: bigint; next: number } {
  let value = 0n
  for (let i = 0; i < 10; i++) {
    if (pos + i >= end) throw new OnnxFormatError(`truncated varint at byte ${pos}`)
    const byte = bytes[pos + i]!
    value |= BigInt(byte & 0x7f) << BigInt(7 * i)
    if (byte < 0x80) return { value: BigInt.asUintN(64, value), next: pos + i + 1 }
  }
  throw new OnnxFormatError(`varint longer than 10 bytes at byte ${pos}`)
}

/** The fields of the message in bytes [start, end); every length is checked against end. */
function parseFields(bytes: Uint8Array, start: number, end: number): Field[] {
  const fields: Field[] = []
  for (let pos = start; pos < end;) {
    const tag = readVarint(bytes, pos, end)
    const no = Number(tag.value >> 3n)
    const wire = Number(tag.value & 7n)
    if (no === 0) throw new OnnxFormatError(`field number 0 at byte ${pos}`)
    let body = tag.next
    let fieldEnd: number
    let value = 0n
    if (wire === VARINT) ({ value, next: fieldEnd } = readVarint(bytes, body, end))
    else if (wire === 1) fieldEnd = body + 8
    else if (wire === 5) fieldEnd = body + 4
    else if (wire === LEN) {
      const length = readVarint(bytes, body, end)
      if (length.value > BigInt(end - length.next)) throw new OnnxFormatError(`length at byte ${body} runs past the end of its message (byte ${end})`)
      body = length.next
      fieldEnd = body + Number(length.value)
    } else throw new OnnxFormatError(`unsupported wire type ${wire} at byte ${pos}`)
    if (fieldEnd > end) throw new OnnxFormatError(`field at byte ${pos} runs past the end of its message (byte ${end})`)
    fields.push({ no, wire, start: pos, body, end: fieldEnd, value })
    pos = fieldEnd
  }
  return fields
}

function fieldsOf(bytes: Uint8Array, message: Field): Field[] {
  if (message.wire !== LEN) throw new OnnxFormatError(`field ${message.no} at byte ${message.start} has wire type ${message.wire}, expected ${LEN}`)
  return parseFields(bytes, message.body, message.end)
}

/** The occurrences of field `no`, each checked to have the wire type onnx.proto gives it. */
function pick(fields: Field[], no: number, wire: number): Field[] {
  const found = fields.filter((field) => field.no === no)
  const wrong = found.find((field) => field.wire !== wire)
  if (wrong) throw new OnnxFormatError(`field ${no} at byte ${wrong.start} has wire type ${wrong.wire}, expected ${wire}`)
  return found
}

/** A singular field: protobuf lets the last occurrence win. */
const last = (fields: Field[], no: number, wire: number): Field | undefined => pick(fields, no, wire).at(-1)

const decoder = new TextDecoder()
const encoder = new TextEncoder()
const text = (bytes: Uint8Array, field: Field | undefined) => (field ? decoder.decode(bytes.subarray(field.body, field.end)) : '')
const int64 = (field: Field) => Number(BigInt.asIntN(64, field.value))

function modelParts(model: Uint8Array) {
  const top = parseFields(model, 0, model.length)
  const graphs = pick(top, MODEL.graph, LEN)
  if (graphs.length !== 1) throw new OnnxFormatError(graphs.length ? 'more than one graph' : 'no graph')
  const graph = graphs[0]!
  const graphFields = fieldsOf(model, graph)
  const initializerNames = pick(graphFields, GRAPH.initializer, LEN).map((tensor) => text(model, last(fieldsOf(model, tensor), TENSOR_NAME, LEN)))
  return { top, graph, graphFields, initializerNames }
}

/** dim_value and dim_param are a oneof: the last one set wins. */
const dimSetting = (fields: Field[]) => fields.filter((field) => field.no === DIM.value || field.no === DIM.param).at(-1)

function readDim(bytes: Uint8Array, dim: Field): number | string | null {
  const set = dimSetting(fieldsOf(bytes, dim))
  if (!set) return null
  if (set.no === DIM.value) return int64(pick([set], DIM.value, VARINT)[0]!)
  return text(bytes, pick([set], DIM.param, LEN)[0])
}

function readValueInfo(bytes: Uint8Array, info: Field): OnnxTensorInfo {
  const fields = fieldsOf(bytes, info)
  const result: OnnxTensorInfo = { name: text(bytes, last(fields, VALUE_INFO.name, LEN)), elementType: 'unknown', dims: [] }
  const type = last(fields, VALUE_INFO.type, LEN)
  // Sequence, map and optional types have no tensor_type: they stay 'unknown' with no dims.
  const tensor = type && last(fieldsOf(bytes, type), TYPE_TENSOR, LEN)
  if (!tensor) return result
  const tensorFields = fieldsOf(bytes, tensor)
  const elemType = last(tensorFields, TENSOR_TYPE.elemType, VARINT)
  if (elemType) result.elementType = ELEMENT_TYPES[int64(elemType)] ?? 'unknown'
  const shape = last(tensorFields, TENSOR_TYPE.shape, LEN)
  if (shape) result.dims = pick(fieldsOf(bytes, shape), SHAPE_DIM, LEN).map((dim) => readDim(bytes, dim))
  return result
}

export function readModelIo(model: Uint8Array): OnnxModelIo {
  const { top, graphFields, initializerNames } = modelParts(model)
  let opsetVersion: number | null = null
  for (const opset of pick(top, MODEL.opsetImport, LEN)) {
    const fields = fieldsOf(model, opset)
    const domain = text(model, last(fields, OPSET.domain, LEN))
    const version = last(fields, OPSET.version, VARINT)
    if ((domain === '' || domain === 'ai.onnx') && version) opsetVersion = int64(version)
  }
  return {
    opsetVersion,
    inputs: pick(graphFields, GRAPH.input, LEN).map((info) => readValueInfo(model, info)),
    outputs: pick(graphFields, GRAPH.output, LEN).map((info) => readValueInfo(model, info)),
    initializerNames,
  }
}

const TENSOR = { dims: 1, dataType: 2, floatData: 4, rawData: 9 }

/**
 * A float32 initializer's values (e.g. the final linear layer's weights, for CAM). Stored
 * as raw little-endian bytes or as packed float_data; anything else is refused.
 */
export function readFloatInitializer(model: Uint8Array, name: string): { dims: number[]; values: Float32Array } {
  const { graphFields } = modelParts(model)
  const tensor = pick(graphFields, GRAPH.initializer, LEN).find((field) => text(model, last(fieldsOf(model, field), TENSOR_NAME, LEN)) === name)
  if (!tensor) throw new OnnxFormatError(`no initializer named "${name}"`)
  const fields = fieldsOf(model, tensor)
  const dataType = last(fields, TENSOR.dataType, VARINT)
  if (!dataType || int64(dataType) !== 1) throw new OnnxFormatError(`initializer "${name}" is not float32`)
  const dims: number[] = []
  for (const dim of fields.filter((field) => field.no === TENSOR.dims)) {
    if (dim.wire === VARINT) dims.push(int64(dim))
    else
      for (let pos = dim.body; pos < dim.end;) {
        const value = readVarint(model, pos, dim.end)
        dims.push(Number(BigInt.asIntN(64, value.value)))
        pos = value.next
      }
  }
  const count = dims.reduce((product, dim) => product * dim, 1)
  const data = last(fields, TENSOR.rawData, LEN) ?? last(fields, TENSOR.floatData, LEN)
  if (!data || data.end - data.body !== count * 4) throw new OnnxFormatError(`initializer "${name}" does not hold ${count} float32 values`)
  const view = new DataView(model.buffer, model.byteOffset + data.body, count * 4)
  return { dims, values: Float32Array.from({ length: count }, (_, i) => view.getFloat32(i * 4, true)) }
}

function encodeVarint(n: number): number[] {
  const out: number[] = []
  for (; n >= 0x80; n = Math.floor(n / 0x80)) out.push((n % 0x80) | 0x80)
  out.push(n)
  return out
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((total, part) => total + part.length, 0))
  let at = 0
  for (const part of parts) {
    out.set(part, at)
    at += part.length
  }
  return out
}

const lenField = (no: number, body: Uint8Array) => concat([Uint8Array.from([...encodeVarint(no * 8 + LEN), ...encodeVarint(body.length)]), body])

/**
 * Re-encodes a message whose edit returns a new payload for a LEN field (null drops the
 * field, undefined keeps its bytes). undefined when nothing changed, so untouched messages
 * keep their exact bytes, length prefixes included.
 */
function rewrite(bytes: Uint8Array, fields: Field[], edit: (field: Field) => Uint8Array | null | undefined): Uint8Array | undefined {
  const parts: Uint8Array[] = []
  let changed = false
  for (const field of fields) {
    const body = edit(field)
    if (body === undefined) parts.push(bytes.subarray(field.start, field.end))
    else {
      changed = true
      if (body !== null) parts.push(lenField(field.no, body))
    }
  }
  return changed ? concat(parts) : undefined
}

export function relaxDims(model: Uint8Array, options: { fromAxis: number; prefix?: string }): Uint8Array {
  const { fromAxis, prefix = 'spatial' } = options
  if (!Number.isInteger(fromAxis) || fromAxis < 0) throw new RangeError(`fromAxis must be a non-negative integer, got ${fromAxis}`)
  const { top, graph, graphFields, initializerNames } = modelParts(model)
  const initializers = new Set(initializerNames)

  const relaxDim = (dim: Field, axis: number) => {
    if (axis < fromAxis || typeof readDim(model, dim) !== 'number') return undefined
    // The value becomes a name in place; other fields (denotation) stay as they were.
    const fields = fieldsOf(model, dim)
    const set = dimSetting(fields)
    return concat(
      fields.flatMap((field) => {
        if (field === set) return [lenField(DIM.param, encoder.encode(`${prefix}${axis}`))]
        return field.no === DIM.value || field.no === DIM.param ? [] : [model.subarray(field.start, field.end)]
      }),
    )
  }
  const relaxShape = (shape: Field) => {
    let axis = 0
    return rewrite(model, fieldsOf(model, shape), (field) => (field.no === SHAPE_DIM ? relaxDim(field, axis++) : undefined))
  }
  const relaxTensorType = (tensor: Field) => rewrite(model, fieldsOf(model, tensor), (field) => (field.no === TENSOR_TYPE.shape ? relaxShape(field) : undefined))
  const relaxType = (type: Field) => rewrite(model, fieldsOf(model, type), (field) => (field.no === TYPE_TENSOR ? relaxTensorType(field) : undefined))
  const relaxValueInfo = (info: Field) => rewrite(model, fieldsOf(model, info), (field) => (field.no === VALUE_INFO.type ? relaxType(field) : undefined))

  const graphBody = rewrite(model, graphFields, (field) => {
    // Intermediate shapes would contradict the relaxed ones; the runtime re-infers them.
    if (field.no === GRAPH.valueInfo) return null
    if (field.no === GRAPH.output) return relaxValueInfo(field)
    if (field.no === GRAPH.input && !initializers.has(readValueInfo(model, field).name)) return relaxValueInfo(field)
    return undefined
  })
  return rewrite(model, top, (field) => (field === graph ? graphBody : undefined)) ?? model.slice()
}
