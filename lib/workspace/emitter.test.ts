import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createEmitter } from './emitter'

interface TestEvents {
  'count-changed': number
  'name-changed': { name: string }
}

describe('createEmitter', () => {
  it('delivers each payload to the listeners of its event only, in subscription order', () => {
    const emitter = createEmitter<TestEvents>()
    const seen: string[] = []
    emitter.on('count-changed', (count) => seen.push(`a${count}`))
    emitter.on('count-changed', (count) => seen.push(`b${count}`))
    emitter.on('name-changed', ({ name }) => seen.push(`name ${name}`))
    emitter.emit('count-changed', 1)
    emitter.emit('name-changed', { name: 'x' })
    assert.deepEqual(seen, ['a1', 'b1', 'name x'])
  })

  it('stops delivering once unsubscribed, and unsubscribing twice is harmless', () => {
    const emitter = createEmitter<TestEvents>()
    const seen: number[] = []
    const off = emitter.on('count-changed', (count) => seen.push(count))
    emitter.emit('count-changed', 1)
    off()
    off()
    emitter.emit('count-changed', 2)
    assert.deepEqual(seen, [1])
  })

  it('keeps two subscriptions of one function apart', () => {
    const emitter = createEmitter<TestEvents>()
    const seen: number[] = []
    const listener = (count: number) => seen.push(count)
    const off = emitter.on('count-changed', listener)
    emitter.on('count-changed', listener)
    emitter.emit('count-changed', 1)
    off()
    emitter.emit('count-changed', 2)
    assert.deepEqual(seen, [1, 1, 2])
  })

  it('delivers an event to everyone subscribed when it was emitted, even if one unsubscribes another', () => {
    const emitter = createEmitter<TestEvents>()
    const seen: string[] = []
    let offSecond = () => {}
    emitter.on('count-changed', () => {
      seen.push('first')
      offSecond()
    })
    offSecond = emitter.on('count-changed', () => seen.push('second'))
    emitter.emit('count-changed', 1)
    emitter.emit('count-changed', 2)
    assert.deepEqual(seen, ['first', 'second', 'first'])
  })

  it('clear drops every listener', () => {
    const emitter = createEmitter<TestEvents>()
    const seen: unknown[] = []
    emitter.on('count-changed', (count) => seen.push(count))
    emitter.on('name-changed', (payload) => seen.push(payload))
    emitter.clear()
    emitter.emit('count-changed', 1)
    emitter.emit('name-changed', { name: 'x' })
    assert.deepEqual(seen, [])
  })
})
