import 'server-only'
import * as ort from 'onnxruntime-node'
import type { ModelSession, TensorData } from './run-model'

// The reference runtime: onnxruntime-node on the CPU, for the CLI, the tests and the bench.

/** `threads`: onnxruntime's intra-op threads (its default: one per core); cohort workers share the cores out between them. */
export async function createNodeSession(model: Uint8Array, options: { threads?: number } = {}): Promise<ModelSession & { release(): Promise<void> }> {
  const session = await ort.InferenceSession.create(model, {
    executionProviders: ['cpu'],
    graphOptimizationLevel: 'all',
    ...(options.threads ? { intraOpNumThreads: options.threads } : {}),
  })
  const [inputName] = session.inputNames
  if (!inputName) throw new Error('The model has no inputs')
  return {
    async run(input: TensorData, outputNames: readonly string[]) {
      const results = await session.run({ [inputName]: new ort.Tensor('float32', input.data, [...input.dims]) }, [...outputNames])
      const out: Record<string, TensorData> = {}
      for (const name of outputNames) {
        const tensor = results[name]
        if (!tensor) continue
        if (tensor.type !== 'float32') throw new Error(`Output "${name}" is ${tensor.type}; float32 expected`)
        out[name] = { data: tensor.data as Float32Array, dims: tensor.dims }
      }
      return out
    },
    release: () => session.release(),
  }
}
