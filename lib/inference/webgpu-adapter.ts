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
