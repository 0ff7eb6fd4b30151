import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { commandForKey } from './hotkeys'

const none = { ctrl: false, meta: false, alt: false }

describe('viewer hotkeys (OHIF defaults)', () => {
  it('maps the navigation and view keys', () => {
    assert.deepEqual(commandForKey('ArrowDown', none), { type: 'next-image' })
    assert.deepEqual(commandForKey('i', none), { type: 'invert' })
    assert.deepEqual(commandForKey(' ', none), { type: 'reset' })
  })
  it('maps 1–5 to the window presets', () => {
    assert.deepEqual(commandForKey('2', none), { type: 'preset', presetId: 'lung' })
    assert.deepEqual(commandForKey('4', none), { type: 'preset', presetId: 'bone' })
  })
  it('maps the tool keys of the tool registry', () => {
    assert.deepEqual(commandForKey('z', none), { type: 'tool', toolId: 'Zoom' })
    assert.deepEqual(commandForKey('w', none), { type: 'tool', toolId: 'WindowLevel' })
  })
  it('leaves browser shortcuts alone', () => {
    assert.equal(commandForKey('r', { ctrl: true, meta: false, alt: false }), null)
    assert.equal(commandForKey('x', none), null)
  })
})
