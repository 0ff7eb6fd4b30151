import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { InferenceSession, Tensor } from 'onnxruntime-node'
import { OnnxFormatError, readModelIo, relaxDims, type OnnxModelIo, readFloatInitializer } from './onnx-model-io'
import { buildOnnxModel, floatTensor, lenField, nodeProto, valueInfo, varint, varintField, type InitializerSpec, type NodeSpec } from '../../tests/support/onnx-builder'
import { concatBytes } from '../../tests/support/dicom-bytes'
import { missingSharedData, sharedDataPath } from '../../tests/support/shared-data'

const FIXED = [1, 1, 8, 8, 8]
const relu: NodeSpec = { opType: 'Relu', inputs: ['x'], outputs: ['y'] }
const reluModel = (dims: (number | string)[] = FIXED) => buildOnnxModel({ inputs: [{ name: 'x', dims }], outputs: [{ name: 'y', dims }], nodes: [relu] })

// y = Relu(Conv(x, w, b)), a 1x1x1 kernel: y = max(0, 2.5x + 0.5). The weight is also listed
// as a graph input (IR < 4 style), which relaxDims must leave fixed.
const weight: InitializerSpec = { name: 'w', dims: [1, 1, 1, 1, 1], values: [2.5] }
const bias: InitializerSpec = { name: 'b', dims: [1], values: [0.5] }
const convNodes: NodeSpec[] = [
  { opType: 'Conv', inputs: ['x', 'w', 'b'], outputs: ['h'], name: 'conv', attributes: { kernel_shape: { ints: [1, 1, 1] }, pads: { ints: [0, 0, 0, 0, 0, 0] } } },
  { opType: 'Relu', inputs: ['h'], outputs: ['y'] },
]
const convModel = () =>
  buildOnnxModel({
    inputs: [
      { name: 'x', dims: FIXED, docString: 'the input volume' },
      { name: 'w', dims: [1, 1, 1, 1, 1] },
    ],
    outputs: [{ name: 'y', dims: FIXED }],
    nodes: convNodes,
    initializers: [weight, bias],
    valueInfo: [{ name: 'h', dims: FIXED, docString: 'intermediate shape' }],
    opset: 17,
  })

/** Values that cross zero, so Relu and the affine map both show. */
const volume = (length: number) => Float32Array.from({ length }, (_, i) => ((i * 37) % 101) / 10 - 5)

async function run(model: Uint8Array, input: Float32Array, dims: number[]): Promise<Tensor> {
  const session = await InferenceSession.create(model)
  try {
    return (await session.run({ x: new Tensor('float32', input, dims) })).y!
  } finally {
    await session.release()
  }
}

function indexOf(haystack: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer
    return i
  }
  return -1
}

/** Incompressible bytes (a linear congruential generator). */
function noise(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length)
  let state = seed
  for (let i = 0; i < length; i++) {
    state = (state * 1103515245 + 12345) >>> 0
    out[i] = state >>> 24
  }
  return out
}

function assertRejected(bytes: Uint8Array, message?: RegExp) {
  for (const parse of [readModelIo, (model: Uint8Array) => relaxDims(model, { fromAxis: 2 })]) {
    assert.throws(
      () => parse(bytes),
      (error: unknown) => error instanceof OnnxFormatError && /^not an ONNX model: /.test(error.message) && (!message || message.test(error.message)),
    )
  }
}

describe('readModelIo', () => {
  it('reads names, element types, dims, opset and initializers', () => {
    const model = buildOnnxModel({
      inputs: [
        { name: 'volume', dims: ['batch_size', 1, 64, null, 32] },
        { name: 'mask', elemType: 2, dims: [] },
        { name: 'half', elemType: 10, dims: [-1] },
        { name: 'odd', elemType: 99, dims: [3] },
      ],
      outputs: [
        { name: 'labels', elemType: 7, dims: ['batch_size', 64, 64, 32] },
        { name: 'flags', elemType: 9, dims: [2] },
      ],
      nodes: [{ opType: 'Identity', inputs: ['volume'], outputs: ['labels'] }],
      initializers: [weight, bias],
      opset: 14,
    })
    assert.deepEqual(readModelIo(model), {
      opsetVersion: 14,
      inputs: [
        { name: 'volume', elementType: 'float32', dims: ['batch_size', 1, 64, null, 32] },
        { name: 'mask', elementType: 'uint8', dims: [] },
        { name: 'half', elementType: 'float16', dims: [-1] },
        { name: 'odd', elementType: 'unknown', dims: [3] },
      ],
      outputs: [
        { name: 'labels', elementType: 'int64', dims: ['batch_size', 64, 64, 32] },
        { name: 'flags', elementType: 'bool', dims: [2] },
      ],
      initializerNames: ['w', 'b'],
    } satisfies OnnxModelIo)
  })

  it('takes the opset of the default domain, however it is spelled', () => {
    const graph = lenField(2, 'g')
    const opset = (domain: string, version: number) => lenField(8, concatBytes([lenField(1, domain), varintField(2, version)]))
    const model = (...opsets: Uint8Array[]) => concatBytes([...opsets, lenField(7, graph)])
    assert.equal(readModelIo(model(opset('com.microsoft', 1), opset('ai.onnx', 18))).opsetVersion, 18)
    assert.equal(readModelIo(model(opset('', 11), opset('com.microsoft', 1))).opsetVersion, 11)
    assert.equal(readModelIo(model(opset('ai.onnx.ml', 3))).opsetVersion, null)
    assert.deepEqual(readModelIo(model()), { opsetVersion: null, inputs: [], outputs: [], initializerNames: [] })
  })
})

describe('relaxDims', () => {
  it('makes dims from fromAxis on symbolic, leaving everything else as it was', () => {
    const original = convModel()
    const relaxed = relaxDims(original, { fromAxis: 2 })
    const before = readModelIo(original)
    const spatial = ['spatial2', 'spatial3', 'spatial4']
    assert.deepEqual(readModelIo(relaxed), {
      ...before,
      inputs: [{ ...before.inputs[0]!, dims: [1, 1, ...spatial] }, before.inputs[1]!],
      outputs: [{ ...before.outputs[0]!, dims: [1, 1, ...spatial] }],
    })
    // Bytes outside the rewritten messages are copied: the model's fields before the graph
    // (the builder writes opset_import last of them), the nodes, the initializers, the input
    // that is an initializer, and fields of a rewritten input that the reader ignores.
    const opset = lenField(8, concatBytes([lenField(1, ''), varintField(2, 17)]))
    const prefixLength = indexOf(original, opset) + opset.length
    assert.deepEqual(relaxed.subarray(0, prefixLength), original.subarray(0, prefixLength))
    const kept = [
      ...convNodes.map((spec) => lenField(1, nodeProto(spec))),
      ...[weight, bias].map((spec) => lenField(5, floatTensor(spec))),
      lenField(11, valueInfo({ name: 'w', dims: [1, 1, 1, 1, 1] })),
      lenField(3, 'the input volume'),
    ]
    for (const field of kept) assert.ok(indexOf(relaxed, field) >= 0, 'a field that should be kept is no longer there verbatim')
    // value_info is gone, so no stale intermediate shape contradicts a smaller input.
    assert.ok(indexOf(original, new TextEncoder().encode('intermediate shape')) >= 0)
    assert.equal(indexOf(relaxed, new TextEncoder().encode('intermediate shape')), -1)
  })

  it('keeps unknown fields and denotations, and leaves symbolic, unset and early dims alone', () => {
    // Unknown fields of each wire type: varint, length-delimited, 32-bit and 64-bit.
    const unknown = concatBytes([
      varintField(100, 7),
      lenField(101, 'future field'),
      varint(102 * 8 + 5),
      new Uint8Array(4).fill(9),
      varint(103 * 8 + 1),
      new Uint8Array(8).fill(7),
    ])
    const denotations = [undefined, 'DATA_CHANNEL', undefined, undefined, 'DATA_FEATURE']
    const original = concatBytes([
      buildOnnxModel({ inputs: [{ name: 'x', dims: ['n', 3, 'h', null, 8], denotations }], outputs: [{ name: 'y', dims: [2, 3, 5, 5, 8] }], nodes: [relu] }),
      unknown,
    ])
    const relaxed = relaxDims(original, { fromAxis: 1, prefix: 'd' })
    const io = readModelIo(relaxed)
    assert.deepEqual(io.inputs[0]!.dims, ['n', 'd1', 'h', null, 'd4'])
    assert.deepEqual(io.outputs[0]!.dims, [2, 'd1', 'd2', 'd3', 'd4'])
    assert.deepEqual(relaxed.subarray(relaxed.length - unknown.length), unknown)
    const relaxedInput = valueInfo({ name: 'x', dims: ['n', 'd1', 'h', null, 'd4'], denotations })
    assert.ok(indexOf(relaxed, relaxedInput) >= 0, 'the input is not re-encoded as expected, denotations included')
  })

  it('returns an identical copy when nothing is fixed from fromAxis on', () => {
    const original = buildOnnxModel({ inputs: [{ name: 'x', dims: [1, 'c'] }], outputs: [{ name: 'y', dims: [1, 'c'] }], nodes: [relu] })
    for (const fromAxis of [1, 2, 10]) {
      const relaxed = relaxDims(original, { fromAxis })
      assert.notEqual(relaxed, original)
      assert.deepEqual(relaxed, original)
    }
  })

  it('refuses a fromAxis that is not a non-negative integer', () => {
    for (const fromAxis of [-1, 1.5, Number.NaN]) assert.throws(() => relaxDims(reluModel(), { fromAxis }), RangeError)
  })
})

describe('relaxDims with onnxruntime', () => {
  it('builds a model onnxruntime runs', async () => {
    const input = volume(8 * 8 * 8)
    const output = await run(reluModel(), input, FIXED)
    assert.deepEqual(output.dims, FIXED)
    assert.deepEqual(
      Array.from(output.data as Float32Array),
      Array.from(input, (v) => Math.max(0, v)),
    )
  })

  it('onnxruntime refuses a smaller input for fixed dims', async () => {
    await assert.rejects(run(reluModel(), volume(64), [1, 1, 4, 4, 4]), /invalid dimensions for input: x/)
  })

  it('the relaxed model runs on other spatial sizes with the right values', async () => {
    const relaxed = relaxDims(reluModel(), { fromAxis: 2 })
    for (const dims of [[1, 1, 4, 4, 4], [1, 1, 5, 6, 7], FIXED]) {
      const input = volume(dims.reduce((a, b) => a * b))
      const output = await run(relaxed, input, dims)
      assert.deepEqual(output.dims, dims)
      assert.deepEqual(
        Array.from(output.data as Float32Array),
        Array.from(input, (v) => Math.max(0, v)),
      )
    }
    await assert.rejects(run(relaxed, volume(2 * 64), [1, 2, 4, 4, 4]), /invalid dimensions for input: x/)
  })

  it('a relaxed 3D convolution with initializers computes the same map', async () => {
    const original = convModel()
    await assert.rejects(run(original, volume(5 * 6 * 7), [1, 1, 5, 6, 7]), /invalid dimensions/)
    const input = volume(5 * 6 * 7)
    const output = await run(relaxDims(original, { fromAxis: 2 }), input, [1, 1, 5, 6, 7])
    assert.deepEqual(output.dims, [1, 1, 5, 6, 7])
    const expected = Array.from(input, (v) => Math.max(0, Math.fround(Math.fround(2.5 * v) + 0.5)))
    assert.deepEqual(Array.from(output.data as Float32Array), expected)
  })

  it('an Add of the input and a float initializer survives relaxing', async () => {
    const model = buildOnnxModel({
      inputs: [{ name: 'x', dims: [1, 4] }],
      outputs: [{ name: 'y', dims: [1, 4] }],
      nodes: [{ opType: 'Add', inputs: ['x', 'offset'], outputs: ['y'] }],
      initializers: [{ name: 'offset', dims: [4], values: [1, 2, 3, 4] }],
    })
    const output = await run(relaxDims(model, { fromAxis: 0 }), Float32Array.from([10, 20, 30, 40, 50, 60, 70, 80]), [2, 4])
    assert.deepEqual(Array.from(output.data as Float32Array), [11, 22, 33, 44, 51, 62, 73, 84])
  })
})

describe('malformed models', () => {
  const timeout = 10_000

  it('refuses random bytes', { timeout }, () => {
    for (let seed = 1; seed <= 200; seed++) assertRejected(noise(1 + (seed % 64) * 17, seed))
  })

  it('refuses a model truncated anywhere', { timeout }, () => {
    const model = convModel()
    for (let length = 0; length < model.length; length++) assertRejected(model.subarray(0, length))
    assertRejected(new Uint8Array(0), /no graph/)
  })

  it('refuses a length prefix that points past the end of the buffer or of its message', { timeout }, () => {
    assertRejected(Uint8Array.from([0x3a, 0x7f, 0, 0]), /runs past the end/)
    assertRejected(concatBytes([Uint8Array.from([0x3a]), varint(2 ** 40), new Uint8Array(8)]), /runs past the end/)
    // The graph's input claims 50 bytes; the buffer has them, the graph does not.
    const graph = concatBytes([Uint8Array.from([0x5a, 50]), new Uint8Array(3)])
    assertRejected(concatBytes([lenField(7, graph), lenField(2, 'x'.repeat(60))]), /runs past the end of its message/)
  })

  it('refuses an 11-byte varint and wrong wire types', { timeout }, () => {
    assertRejected(concatBytes([Uint8Array.from([0x08]), new Uint8Array(10).fill(0xff), Uint8Array.from([0x01])]), /varint longer than 10 bytes/)
    assertRejected(Uint8Array.from([0x08, 0x80, 0x80]), /truncated varint/)
    assertRejected(varintField(7, 1), /field 7 .* wire type 0/)
    assertRejected(Uint8Array.from([0x3b, 0x3c]), /wire type 3/)
    assertRejected(lenField(7, varintField(11, 5)), /field 11 .* wire type 0/)
    const typeWithElemTypeAsText = lenField(2, lenField(1, lenField(1, 'float')))
    assertRejected(lenField(7, lenField(11, concatBytes([lenField(1, 'x'), typeWithElemTypeAsText]))), /field 1 .* wire type 2, expected 0/)
    assertRejected(Uint8Array.from([0x09, 1, 2, 3]), /runs past the end/)
    assertRejected(Uint8Array.from([0x3a, 2, 0x0d, 1]), /runs past the end of its message/)
    assertRejected(concatBytes([lenField(7, new Uint8Array(0)), lenField(7, new Uint8Array(0))]), /more than one graph/)
  })
})

describe('brain-tissue-3class model', { skip: missingSharedData('models', 'brain-tissue-3class', 'model.onnx') ?? false }, () => {
  const read = () => new Uint8Array(readFileSync(sharedDataPath('models', 'brain-tissue-3class', 'model.onnx')))

  it('declares a 256³ float32 input and 3-class output at opset 14', () => {
    const io = readModelIo(read())
    assert.equal(io.opsetVersion, 14)
    assert.deepEqual(io.inputs, [{ name: 'input', elementType: 'float32', dims: ['batch_size', 1, 256, 256, 256] }])
    assert.equal(io.outputs.length, 1)
    assert.equal(io.outputs[0]!.name, 'output')
    assert.equal(io.outputs[0]!.elementType, 'float32')
    assert.equal(io.outputs[0]!.dims[1], 3)
  })

  it('runs on a 16³ volume once relaxed', async () => {
    const session = await InferenceSession.create(relaxDims(read(), { fromAxis: 2 }))
    try {
      const { output } = await session.run({ input: new Tensor('float32', volume(16 ** 3), [1, 1, 16, 16, 16]) })
      assert.deepEqual(output!.dims, [1, 3, 16, 16, 16])
    } finally {
      await session.release()
    }
  })
})

describe('readFloatInitializer', () => {
  const model = buildOnnxModel({
    inputs: [{ name: 'x', dims: [1, 3] }],
    outputs: [{ name: 'y', dims: [1, 3] }],
    nodes: [{ opType: 'Add', inputs: ['x', 'w'], outputs: ['y'] }],
    initializers: [{ name: 'w', dims: [1, 3], values: [0.5, -2, 3.25] }],
  })

  it('reads a float32 initializer with its dims', () => {
    const { dims, values } = readFloatInitializer(model, 'w')
    assert.deepEqual(dims, [1, 3])
    assert.deepEqual([...values], [0.5, -2, 3.25])
  })

  it('names a missing initializer', () => {
    assert.throws(() => readFloatInitializer(model, 'linear.weight'), /no initializer named "linear.weight"/)
  })
})
