import assert from 'node:assert/strict'
import { test } from 'node:test'
import { softwareAdapterReason } from './webgpu-adapter'

test('software adapters are named: SwiftShader as headless Chromium reports it, llvmpipe, WARP, a fallback flag', () => {
  assert.match(softwareAdapterReason({ vendor: 'google', architecture: 'swiftshader', description: '' })!, /software renderer \(swiftshader\)/)
  assert.match(softwareAdapterReason({ vendor: 'mesa', device: 'llvmpipe (LLVM 15.0.6, 256 bits)' })!, /llvmpipe/)
  assert.match(softwareAdapterReason({ description: 'Microsoft Basic Render Driver' })!, /microsoft basic render/i)
  assert.match(softwareAdapterReason({ vendor: 'x', isFallbackAdapter: true })!, /fallback/)
})

test('hardware adapters pass', () => {
  assert.equal(softwareAdapterReason({ vendor: 'nvidia', architecture: 'hopper', description: 'NVIDIA H200' }), null)
  assert.equal(softwareAdapterReason({ vendor: 'apple', architecture: 'metal-3' }), null)
  assert.equal(softwareAdapterReason({}), null)
})
