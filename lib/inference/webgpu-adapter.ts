// Which WebGPU adapters "auto" may use. A software or fallback adapter (SwiftShader, which
// headless and GPU-less Chromium expose; Mesa's llvmpipe / lavapipe; Microsoft's WARP)
// emulates the GPU on the CPU and runs our models tens of times slower than WASM on the
// same cores, so "auto" passes it over; choosing WebGPU explicitly still uses it.

/** What a browser tells about its adapter (GPUAdapterInfo, plus the older isFallbackAdapter flag). */
export interface AdapterDescription {
  vendor?: string
  architecture?: string
  device?: string
  description?: string
  isFallbackAdapter?: boolean
}

const softwareNames = /swiftshader|llvmpipe|lavapipe|softpipe|warp|microsoft basic render/i

/** Null for a hardware adapter; otherwise why it counts as software, for the user. */
export function softwareAdapterReason(adapter: AdapterDescription): string | null {
  const named = [adapter.architecture, adapter.device, adapter.description, adapter.vendor].find((value) => value && softwareNames.test(value))
  if (named) return `the WebGPU adapter is a software renderer (${named.match(softwareNames)![0]})`
  if (adapter.isFallbackAdapter) return 'the WebGPU adapter is the browser’s fallback (software) adapter'
  return null
}

interface AdapterLike extends AdapterDescription {
  info?: AdapterDescription
}

/** The WebGPU adapter a page or worker's navigator offers, as far as it describes itself; null when it has none. */
export async function queryWebGpuAdapter(navigator: Navigator | WorkerNavigator): Promise<AdapterDescription | null> {
  const gpu = (navigator as { gpu?: { requestAdapter(): Promise<AdapterLike | null> } }).gpu
  if (!gpu) return null
  try {
    const adapter = await gpu.requestAdapter()
    if (!adapter) return null
    // GPUAdapterInfo's fields are prototype getters: a spread would copy none of them.
    const info = adapter.info ?? {}
    return {
      vendor: info.vendor,
      architecture: info.architecture,
      device: info.device,
      description: info.description,
      isFallbackAdapter: info.isFallbackAdapter ?? adapter.isFallbackAdapter,
    }
  } catch {
    return null
  }
}

/** The adapter in one line, for keys and the panel: "vendor/architecture/device", or "none". */
export function adapterName(adapter: AdapterDescription | null): string {
  return adapter ? [adapter.vendor, adapter.architecture, adapter.device].map((part) => part || '-').join('/') : 'none'
}
