import 'client-only'
import { choiceKey, providerMeasurementSchema, type ProviderMeasurement } from './provider-choice'
import { adapterName, queryWebGpuAdapter } from './webgpu-adapter'
import type { ModelManifest } from './manifest'

// Where "auto" keeps its measured choice: this browser's localStorage (the worker has none),
// one entry per model version, browser build and WebGPU adapter, so a browser update or
// another GPU measures again. A damaged or unreadable entry counts as none.

/** The key of the model's choice in this browser, on the adapter it offers now. */
export async function choiceKeyFor(manifest: ModelManifest): Promise<string> {
  const adapter = adapterName(await queryWebGpuAdapter(navigator))
  return choiceKey({ modelId: manifest.parallax.id, version: manifest.version, sha256: manifest.parallax.file.sha256, browser: navigator.userAgent, adapter })
}

export function storedChoice(key: string): ProviderMeasurement | null {
  try {
    const text = localStorage.getItem(key)
    if (text === null) return null
    const parsed = providerMeasurementSchema.safeParse(JSON.parse(text))
    return parsed.success ? parsed.data : null
  } catch {
    return null
  }
}

export function storeChoice(key: string, measurement: ProviderMeasurement): void {
  try {
    localStorage.setItem(key, JSON.stringify(measurement))
  } catch {
    // Storage full or refused (private mode): the next run measures again, nothing breaks.
  }
}

export function forgetChoice(key: string): void {
  try {
    localStorage.removeItem(key)
  } catch {
    // As above: nothing stored, nothing to forget.
  }
}
