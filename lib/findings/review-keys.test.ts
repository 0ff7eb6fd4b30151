import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { commandForKey } from '../viewer/hotkeys'
import { reviewCommandForKey, reviewKeys } from './review-keys'

describe('review keys', () => {
  it('take no key the viewer uses', () => {
    for (const key of reviewKeys) assert.equal(commandForKey(key, { ctrl: false, meta: false, alt: false }), null, key)
  })

  it('map the review commands and ignore modified keys', () => {
    assert.equal(reviewCommandForKey('a', { ctrl: false, meta: false, alt: false }), 'accept')
    assert.equal(reviewCommandForKey('x', { ctrl: false, meta: false, alt: false }), 'reject')
    assert.equal(reviewCommandForKey('a', { ctrl: true, meta: false, alt: false }), null)
    assert.equal(reviewCommandForKey('r', { ctrl: false, meta: false, alt: false }), null)
  })
})
