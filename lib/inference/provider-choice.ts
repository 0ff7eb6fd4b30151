import { z } from 'zod'

// "Auto" by measurement: on the first "auto" run of a model in a browser, the worker times one
// warm forward pass on each provider it may use (WebGPU on a hardware adapter, and WASM) and
// the faster is kept for that model, browser and adapter, so later runs start on it at once.
// The measurement is stored by the page (provider-choice.client.ts), shown in the model panel
// and recorded with each result it decided.

export const executionProviderSchema = z.enum(['webgpu', 'wasm'])

export const providerMeasurementSchema = z.object({
  chosen: executionProviderSchema,
  /** One warm pass (after a first, untimed one) on the model's check input, per provider; null when it was not timed. */
  warmPassMs: z.object({ webgpu: z.number().nonnegative().nullable(), wasm: z.number().nonnegative() }),
  /** Why WebGPU was not timed (no adapter, a software one) or failed, or null. */
  webgpuNote: z.string().nullable(),
  /** What was timed: the check input's shape (model-check.ts). */
  input: z.string(),
  /** ISO 8601. */
  measuredAt: z.string(),
})
export type ProviderMeasurement = z.infer<typeof providerMeasurementSchema>

/** WebGPU only when it was timed and beat WASM: on a tie the CPU path, which needs no GPU memory, wins. */
export function fasterProvider(warmPassMs: ProviderMeasurement['warmPassMs']): 'webgpu' | 'wasm' {
  return warmPassMs.webgpu !== null && warmPassMs.webgpu < warmPassMs.wasm ? 'webgpu' : 'wasm'
}

/** What a choice is kept for: one model version, in one browser build, on one WebGPU adapter (or none). */
export interface ChoiceScope {
  modelId: string
  version: string
  sha256: string
  browser: string
  adapter: string
}

export function choiceKey({ modelId, version, sha256, browser, adapter }: ChoiceScope): string {
  return `parallax:provider-choice:v1:${modelId}@${version}#${sha256.slice(0, 16)}|${adapter}|${browser}`
}

const formatMs = (value: number) => (value < 10 ? `${value.toFixed(1)} ms` : `${Math.round(value)} ms`)

/** The measurement in words, for the panel and the provenance line. */
export function describeMeasurement(measurement: ProviderMeasurement): string {
  const { warmPassMs, webgpuNote } = measurement
  const webgpu = warmPassMs.webgpu !== null ? `WebGPU ${formatMs(warmPassMs.webgpu)}` : `WebGPU not timed${webgpuNote ? ` (${webgpuNote})` : ''}`
  return `${measurement.chosen === 'webgpu' ? 'WebGPU' : 'WASM'} chosen by measurement (one warm pass): WASM ${formatMs(warmPassMs.wasm)}, ${webgpu}`
}
