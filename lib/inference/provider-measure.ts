import type { ExecutionProvider } from './inference-protocol'
import type { ModelManifest } from './manifest'
import { planModelCheck } from './model-check'
import { fasterProvider, type ProviderMeasurement } from './provider-choice'
import type { ModelSession } from './run-model'
import { softwareAdapterReason, type AdapterDescription } from './webgpu-adapter'

// The measurement behind "auto" (provider-choice.ts): one warm forward pass of the model on
// its check input (model-check.ts: the model's own input shape, or a reduced volume for large
// 3D models) on each provider "auto" may use. WebGPU is timed only on a hardware adapter; a
// software one is never faster than WASM on the same cores. The first pass on each provider
// pays for kernel compilation and buffer allocation, so it is run and not timed.

export interface MeasureSessions {
  /** A session of `model` on `provider`: the worker's kept one when `model` is the model's own bytes. */
  open(provider: ExecutionProvider, model: Uint8Array): Promise<{ session: ModelSession; done(): Promise<void> }>
  /** Between passes: throws to stop (a cancel). */
  checkpoint(): Promise<void>
  /** True when an error must not be taken as WebGPU failing (a cancel). */
  isCancel(error: unknown): boolean
}

export async function measureProviders(
  manifest: ModelManifest,
  bytes: Uint8Array,
  adapter: AdapterDescription | null,
  sessions: MeasureSessions,
  now: () => number = () => performance.now(),
): Promise<ProviderMeasurement> {
  const plan = planModelCheck(manifest, bytes)
  const output = manifest.parallax.output
  const warmPass = async (provider: ExecutionProvider) => {
    const { session, done } = await sessions.open(provider, plan.model)
    try {
      await session.run(plan.input, [output])
      await sessions.checkpoint()
      const started = now()
      await session.run(plan.input, [output])
      return now() - started
    } finally {
      await done()
    }
  }
  const wasm = await warmPass('wasm')
  let webgpu: number | null = null
  let webgpuNote = adapter ? softwareAdapterReason(adapter) : 'this browser offers no WebGPU adapter'
  if (!webgpuNote) {
    await sessions.checkpoint()
    try {
      webgpu = await warmPass('webgpu')
    } catch (error) {
      if (sessions.isCancel(error)) throw error
      webgpuNote = `WebGPU failed: ${error instanceof Error ? error.message : String(error)}`
    }
  }
  const warmPassMs = { webgpu, wasm }
  return { chosen: fasterProvider(warmPassMs), warmPassMs, webgpuNote, input: plan.description, measuredAt: new Date().toISOString() }
}
